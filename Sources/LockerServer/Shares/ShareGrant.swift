import Foundation
import LockerStore

/// A grant a redemption found live: the share, its document and owner, and what every audit
/// entry of this redemption says of the grant and the client.
struct ShareGrant: Sendable {
    let share: ShareRecord
    /// The stored document, or nil for one kept by its issuer (`pulled`).
    let document: DocumentRecord?
    let pulled: PulledDocumentRecord?
    let owner: CitizenRecord
    let at: Date
    let detail: [String: String]
}
