import Crypto
import Foundation
import LockerCore
import LockerStore
import Synchronization

/// Answers "how vaccinated is the person with this mobile number and this name?" and signs
/// the answer. The answer carries the status and who asked; never a name, number or document.
public final class StatusService: Sendable {
    let vault: Vault
    let store: any StatusStore
    let issuerURL: String
    /// Answers expire quickly: they are for one check at one counter.
    public let answerLifetime: TimeInterval
    private let signer = Mutex<Signer?>(nil)

    /// The active signing key, unwrapped, with the encoded protected header of each kind of
    /// statement it signs.
    struct Signer {
        let record: SigningKeyRecord
        let key: Curve25519.Signing.PrivateKey
        /// Header of a KYC-VS answer: `typ` `kyc-vs+jwt`.
        let kycHeader: String
        /// Header of a status-scope share statement: `typ` `share-status+jwt`.
        let shareHeader: String
    }

    /// JWS `typ` of a KYC-VS answer; a verifier refuses any other (RFC 8725 §3.11).
    public static let kycType = "kyc-vs+jwt"
    /// JWS `typ` of a status-scope share statement.
    public static let shareStatusType = "share-status+jwt"
    /// `aud` of every share statement: the bearer of a share link is not known by id, and the
    /// fixed audience keeps a statement from passing where a verifier's id is expected.
    public static let shareStatusAudience = "locker:share-status"

    public init(vault: Vault, store: any StatusStore, issuerURL: String, answerLifetime: TimeInterval = Vault.signedAnswerLifetime) {
        self.vault = vault
        self.store = store
        self.issuerURL = issuerURL
        self.answerLifetime = answerLifetime
    }

    /// 0 not vaccinated, 1 partially, 2 fully: from the newest unrevoked `VACER` certificate
    /// whose holder's name matches, counting only certificates from enabled issuers registered
    /// for `VACER` and not dated after tomorrow; 0 when none matches (never another person's).
    public func status(mobileHash: Data, name: String, now: Date = Date()) throws -> Int {
        let latest = Validate.latestIssueDate(now: now)
        let found = try store.vaccinationCertificates(mobileHash: mobileHash, issuedNoLaterThan: latest)
        guard let (citizen, documents) = found, !documents.isEmpty else { return 0 }
        let dataKey = try vault.dataKey(of: citizen)
        let wanted = NameMatch.normalize(name)
        guard !wanted.isEmpty else { return 0 }
        // Every VACER push seals its holder facts (PushController), so these are all there is to read.
        for document in documents {
            guard let facts = document.holderSealed,
                  let bytes = try? FieldSeal.open([UInt8](facts), key: dataKey, field: HolderFacts.field(document), ownerID: citizen.id),
                  let parsed = HolderFacts(bytes) else { continue }
            if parsed.normalizedName == wanted { return parsed.status }
        }
        return 0
    }

    /// The active signing key, unwrapped once and kept in memory.
    func signingKey(now: Date) throws -> Signer {
        if let cached = signer.withLock({ $0 }) { return cached }
        let record = try vault.activeSigningKey(now: now)
        let fresh = Signer(record: record, key: try vault.privateKey(of: record),
                           kycHeader: try CompactJWS.encodedHeader(kid: record.kid, type: Self.kycType),
                           shareHeader: try CompactJWS.encodedHeader(kid: record.kid, type: Self.shareStatusType))
        signer.withLock { $0 = fresh }
        return fresh
    }

    /// Forgets the cached key (after a signing-key roll-over).
    public func reloadSigningKey() {
        signer.withLock { $0 = nil }
    }

    /// A compact JWS about a shared document, header `typ` `share-status+jwt`, payload
    /// `{aud: "locker:share-status", kind: "share-status", iss, jti, iat, exp, scope: "status", …facts}`,
    /// facts given as (key, JSON value) pairs.
    public func signedStatement(subjectID: String, facts: [(String, String)], now: Date) throws -> String {
        let signer = try signingKey(now: now)
        let iat = Int(now.timeIntervalSince1970)
        var members = facts
        members += [("aud", CompactJWS.jsonString(Self.shareStatusAudience)), ("exp", String(iat + Int(answerLifetime))), ("iat", String(iat)),
                    ("iss", CompactJWS.jsonString(issuerURL)), ("jti", CompactJWS.jsonString(subjectID)), ("kind", "\"share-status\""),
                    ("scope", "\"status\"")]
        let json = "{" + members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        return try CompactJWS.sign(encodedHeader: signer.shareHeader, payloadJSON: Array(json.utf8), key: signer.key)
    }

    /// A KYC-VS answer: compact JWS, header `typ` `kyc-vs+jwt`, payload
    /// `{aud (verifier id), exp, iat, iss, jti, kind: "kyc-vs", nonce?, status}`.
    public func signedAnswer(status: Int, audience: String, requestID: String, nonce: String?, now: Date) throws -> String {
        let signer = try signingKey(now: now)
        let iat = Int(now.timeIntervalSince1970)
        // Built by hand (keys sorted, strings escaped): JSONSerialization dominated the cost.
        var json = "{\"aud\":\(CompactJWS.jsonString(audience)),\"exp\":\(iat + Int(answerLifetime)),\"iat\":\(iat),\"iss\":\(CompactJWS.jsonString(issuerURL)),\"jti\":\(CompactJWS.jsonString(requestID)),\"kind\":\"kyc-vs\""
        if let nonce { json += ",\"nonce\":\(CompactJWS.jsonString(nonce))" }
        json += ",\"status\":\(status)}"
        return try CompactJWS.sign(encodedHeader: signer.kycHeader, payloadJSON: Array(json.utf8), key: signer.key)
    }
}
