import Crypto
import Foundation
import GRDB
import LockerCore
import LockerStore
import Synchronization

/// Answers "how vaccinated is the person with this mobile number and this name?" and signs
/// the answer. The answer carries the status and who asked; never a name, number or document.
public final class StatusService: Sendable {
    let vault: Vault
    let issuerURL: String
    /// Answers expire quickly: they are for one check at one counter.
    public let answerLifetime: TimeInterval
    private let signer = Mutex<(record: SigningKeyRecord, key: Curve25519.Signing.PrivateKey)?>(nil)

    public init(vault: Vault, issuerURL: String, answerLifetime: TimeInterval = 300) {
        self.vault = vault
        self.issuerURL = issuerURL
        self.answerLifetime = answerLifetime
    }

    /// 0 not vaccinated, 1 partially, 2 fully: from the newest unrevoked `VACER` certificate
    /// whose holder's name matches; 0 when no certificate matches (never another person's).
    public func status(mobileHash: Data, name: String) throws -> Int {
        let found = try vault.database.pool.read { db -> (CitizenRecord, [DocumentRecord])? in
            guard let citizen = try CitizenRecord.filter(CitizenRecord.Columns.mobileHash == mobileHash).fetchOne(db) else { return nil }
            let docs = try DocumentRecord.filter(DocumentRecord.Columns.ownerID == citizen.id && Column("docType") == "VACER" && Column("revokedAt") == nil)
                .order(Column("issuedOn").desc, Column("updatedAt").desc).fetchAll(db)
            return (citizen, docs)
        }
        guard let (citizen, documents) = found, !documents.isEmpty else { return 0 }
        let dataKey = try vault.dataKey(of: citizen)
        for document in documents {
            guard let sealed = document.claimsSealed,
                  let bytes = try? FieldSeal.open([UInt8](sealed), key: dataKey, field: "metadata/\(document.id)/\(document.version)", ownerID: citizen.id),
                  let metadata = try? JSONDecoder().decode(PushMetadata.self, from: Data(bytes)) else { continue }
            let claims = VaccinationClaims(metadata.claims)
            if let holder = claims.name, NameMatch.same(holder, name) { return claims.status }
        }
        return 0
    }

    /// The active signing key, unwrapped once and kept in memory.
    func signingKey(now: Date) throws -> (record: SigningKeyRecord, key: Curve25519.Signing.PrivateKey) {
        if let cached = signer.withLock({ $0 }), cached.record.retiredAt == nil {
            return cached
        }
        let record = try vault.activeSigningKey(now: now)
        let key = try vault.privateKey(of: record)
        signer.withLock { $0 = (record, key) }
        return (record, key)
    }

    /// Forgets the cached key (after a signing-key roll-over).
    public func reloadSigningKey() {
        signer.withLock { $0 = nil }
    }

    /// A compact JWS: `{status, iss, aud, jti, iat, exp, nonce?}`.
    public func signedAnswer(status: Int, audience: String, requestID: String, nonce: String?, now: Date) throws -> String {
        let (record, key) = try signingKey(now: now)
        let iat = Int(now.timeIntervalSince1970)
        var payload: [String: Any] = ["status": status, "iss": issuerURL, "aud": audience, "jti": requestID, "iat": iat, "exp": iat + Int(answerLifetime)]
        if let nonce { payload["nonce"] = nonce }
        return try CompactJWS.sign(payload: payload, kid: record.kid, key: key)
    }
}
