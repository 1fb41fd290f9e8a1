import Foundation

/// How the first step of a redemption ended.
enum ShareRedemption: Sendable {
    /// Unknown, expired, withdrawn, used-up, locked or revoked: all look the same.
    case notFound
    /// The passcode was wrong; `remaining` tries are left before the grant locks.
    case wrongPasscode(remaining: Int)
    /// A status-scope grant whose use is spent: the signed statement is next.
    case status(ShareGrant)
    /// A document-scope grant: its use is spent only once the document verifies.
    case document(ShareGrant)
}
