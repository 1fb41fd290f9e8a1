import Crypto
import Foundation
import GRDB
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
        let report = try database.pool.write { db in
            guard var citizen = try CitizenRecord.fetchOne(db, key: id) else { throw KeyAdminRefusal(description: "no citizen \(id)") }
            let oldKey = try ring.unwrapDataKey(citizen.wrappedDataKey, ownerID: citizen.id)
            let newKey = SymmetricKey(size: .bits256)
            let documents = try DocumentRecord.filter(DocumentRecord.Columns.ownerID == id).fetchAll(db)
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
                try document.update(db)
            }
            let mobile = try FieldSeal.open([UInt8](citizen.mobileSealed), key: oldKey, field: "mobile", ownerID: id)
            citizen.mobileSealed = Data(try FieldSeal.seal(mobile, key: newKey, field: "mobile", ownerID: id))
            let wrapped = try ring.wrapDataKey(newKey, ownerID: id)
            citizen.dekWrapped = Data(wrapped.bytes)
            citizen.kekVersion = wrapped.kekVersion
            citizen.dekVersion += 1
            try citizen.update(db)
            try db.execute(sql: "UPDATE sessions SET revokedAt = ? WHERE citizenID = ? AND revokedAt IS NULL", arguments: [now, id])
            let sessions = db.changesCount
            var shares = 0
            if revokeShares {
                try db.execute(sql: "UPDATE shares SET revokedAt = ? WHERE ownerID = ? AND revokedAt IS NULL", arguments: [now, id])
                shares = db.changesCount
            }
            try AuditLog.append(db, at: now, action: "admin.citizen-rekeyed", actor: actor, citizenID: id, documentID: nil,
                                detail: ["dekVersion": String(citizen.dekVersion), "documents": String(documents.count),
                                         "sessionsEnded": String(sessions), "sharesRevoked": String(shares)])
            return RekeyReport(citizenID: id, dekVersion: citizen.dekVersion, documents: documents.count, sessionsEnded: sessions, sharesRevoked: shares)
        }
        // A running lockerd drops its cached sessions on its next request.
        try SessionEpoch(layout: layout).bump()
        return report
    }
}
