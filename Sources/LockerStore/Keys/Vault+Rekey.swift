import Crypto
import Foundation
import LockerCore

extension DocumentRecord {
    /// What the issuer's metadata is sealed as (bound to document and version).
    public var metadataField: String { "metadata/\(id)/\(version)" }
    /// What a vaccination certificate's holder facts are sealed as.
    public var holderField: String { "holder/\(id)/\(version)" }
}

extension Vault {
    /// Gives one citizen a new data key, for a suspected compromise of that account: every
    /// document's content key, the sealed metadata and holder facts, and the sealed mobile
    /// number move to the new key in one transaction; blobs are not rewritten. The citizen's
    /// sessions end (and, if asked, their share grants are revoked); the citizen sees the event
    /// in their activity.
    public func rekeyCitizen(id: String, revokeShares: Bool, actor: String, now: Date = Date()) throws -> RekeyReport {
        try refreshKeyring()
        let ring = keyring
        let newKey = SymmetricKey(size: .bits256)
        let outcome = try records.rekey(citizenID: id, revokeShares: revokeShares, now: now, change: { citizen, documents in
            var citizen = citizen
            let oldKey = try ring.unwrapDataKey(citizen.wrappedDataKey, ownerID: citizen.id)
            var changed = [DocumentRecord]()
            for var document in documents {
                let aad = KeyWrap.contentKeyAAD(context: document.envelopeContext)
                let contentKey = try KeyWrap.unwrap([UInt8](document.contentKeyWrapped), under: oldKey, aad: aad)
                document.contentKeyWrapped = Data(try KeyWrap.wrap(contentKey, under: newKey, aad: aad))
                if let sealed = document.claimsSealed {
                    let plain = try FieldSeal.open([UInt8](sealed), key: oldKey, field: document.metadataField, ownerID: id)
                    document.claimsSealed = Data(try FieldSeal.seal(plain, key: newKey, field: document.metadataField, ownerID: id))
                }
                if let sealed = document.holderSealed {
                    let plain = try FieldSeal.open([UInt8](sealed), key: oldKey, field: document.holderField, ownerID: id)
                    document.holderSealed = Data(try FieldSeal.seal(plain, key: newKey, field: document.holderField, ownerID: id))
                }
                document.dekVersion = citizen.dekVersion + 1
                changed.append(document)
            }
            let mobile = try FieldSeal.open([UInt8](citizen.mobileSealed), key: oldKey, field: "mobile", ownerID: id)
            citizen.mobileSealed = Data(try FieldSeal.seal(mobile, key: newKey, field: "mobile", ownerID: id))
            let wrapped = try ring.wrapDataKey(newKey, ownerID: id)
            citizen.dekWrapped = Data(wrapped.bytes)
            citizen.kekVersion = wrapped.kekVersion
            citizen.dekVersion += 1
            return (citizen, changed)
        }, audit: { citizen, documents, sessions, shares, connections in
            AuditEntry(at: now, action: "admin.citizen-rekeyed", actor: actor, citizenID: id,
                       detail: ["dekVersion": String(citizen.dekVersion), "documents": String(documents),
                                "sessionsEnded": String(sessions), "sharesRevoked": String(shares), "partnerConnectionsEnded": String(connections)])
        })
        guard let outcome else { throw KeyAdminRefusal(description: "no citizen \(id)") }
        dataKeys.remove(citizenID: id)
        return RekeyReport(citizenID: id, dekVersion: outcome.citizen.dekVersion, documents: outcome.documents,
                           sessionsEnded: outcome.sessions, sharesRevoked: outcome.shares, partnerConnectionsEnded: outcome.connections)
    }
}