import Crypto
import Foundation
import LockerStore

/// What a push learnt when its metadata part arrived, kept until the body has been read: the
/// owner (new or stored), the version it replaces, and the owner's data key. Used by one
/// request's body reader only.
final class PushInProgress: @unchecked Sendable {
    let issuer: IssuerRecord
    var owner: (record: CitizenRecord, isNew: Bool)?
    var existing: DocumentRecord?
    var documentID = ""
    var version = 1
    var ownerKey: SymmetricKey?

    init(issuer: IssuerRecord) {
        self.issuer = issuer
    }
}
