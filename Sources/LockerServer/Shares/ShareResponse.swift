import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// A grant as its owner sees it (`docs/api.md`, Share object); `token` and `link` only in the
/// answer that created it.
struct ShareResponse: ResponseEncodable {
    let id: String
    let documentId: String
    let label: String
    let scope: String
    let maxUses: Int
    let usesSpent: Int
    let expiresAt: String
    let createdAt: String
    let state: String
    let hasPasscode: Bool
    var token: String?
    var link: String?

    init(_ share: ShareRecord, now: Date) {
        id = share.id
        documentId = share.documentID
        label = share.label
        scope = share.scope.rawValue
        maxUses = share.maxUses
        usesSpent = share.usesSpent
        expiresAt = Timestamp.string(share.expiresAt)
        createdAt = Timestamp.string(share.createdAt)
        state = share.state(at: now).rawValue
        hasPasscode = share.passcodeHash != nil
    }
}
