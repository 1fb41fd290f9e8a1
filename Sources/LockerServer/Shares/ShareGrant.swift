import Foundation
import LockerStore

/// A grant a redemption found live: the share, its document and owner, and what every audit
/// entry of this redemption says of the grant and the client.
struct ShareGrant: Sendable {
    let share: ShareRecord
    let document: DocumentRecord
    let owner: CitizenRecord
    let at: Date
    let detail: [String: String]
}
