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
    private let signer = Mutex<(record: SigningKeyRecord, key: Curve25519.Signing.PrivateKey, header: String)?>(nil)

    public init(vault: Vault, issuerURL: String, answerLifetime: TimeInterval = Vault.signedAnswerLifetime) {
        self.vault = vault
        self.issuerURL = issuerURL
        self.answerLifetime = answerLifetime
    }

    /// 0 not vaccinated, 1 partially, 2 fully: from the newest unrevoked `VACER` certificate
    /// whose holder's name matches; 0 when no certificate matches (never another person's).
    public func status(mobileHash: Data, name: String) throws -> Int {
        let found = try vault.database.read { db -> (CitizenRecord, [DocumentRecord])? in
            guard let citizen = try HotQueries.citizen(db, mobileHash: mobileHash) else { return nil }
            return (citizen, try HotQueries.vaccinationCertificates(db, ownerID: citizen.id))
        }
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
    func signingKey(now: Date) throws -> (record: SigningKeyRecord, key: Curve25519.Signing.PrivateKey, header: String) {
        if let cached = signer.withLock({ $0 }) { return cached }
        let record = try vault.activeSigningKey(now: now)
        let fresh = (record: record, key: try vault.privateKey(of: record), header: try CompactJWS.encodedHeader(kid: record.kid))
        signer.withLock { $0 = fresh }
        return fresh
    }

    /// Forgets the cached key (after a signing-key roll-over).
    public func reloadSigningKey() {
        signer.withLock { $0 = nil }
    }

    /// A compact JWS about a shared document: `{iss, jti, iat, exp, scope: "status", …facts}`,
    /// facts given as (key, JSON value) pairs.
    public func signedStatement(subjectID: String, facts: [(String, String)], now: Date) throws -> String {
        let signer = try signingKey(now: now)
        let iat = Int(now.timeIntervalSince1970)
        var members = facts
        members += [("exp", String(iat + Int(answerLifetime))), ("iat", String(iat)), ("iss", CompactJWS.jsonString(issuerURL)),
                    ("jti", CompactJWS.jsonString(subjectID)), ("scope", "\"status\"")]
        let json = "{" + members.sorted { $0.0 < $1.0 }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        return try CompactJWS.sign(encodedHeader: signer.header, payloadJSON: Array(json.utf8), key: signer.key)
    }

    /// A compact JWS: `{status, iss, aud, jti, iat, exp, nonce?}`.
    public func signedAnswer(status: Int, audience: String, requestID: String, nonce: String?, now: Date) throws -> String {
        let signer = try signingKey(now: now)
        let iat = Int(now.timeIntervalSince1970)
        // Built by hand (keys sorted, strings escaped): JSONSerialization dominated the cost.
        var json = "{\"aud\":\(CompactJWS.jsonString(audience)),\"exp\":\(iat + Int(answerLifetime)),\"iat\":\(iat),\"iss\":\(CompactJWS.jsonString(issuerURL)),\"jti\":\(CompactJWS.jsonString(requestID))"
        if let nonce { json += ",\"nonce\":\(CompactJWS.jsonString(nonce))" }
        json += ",\"status\":\(status)}"
        return try CompactJWS.sign(encodedHeader: signer.header, payloadJSON: Array(json.utf8), key: signer.key)
    }
}

/// What a status check needs from a vaccination certificate, sealed beside it at push time so
/// the check opens 40 bytes instead of decoding the issuer's whole metadata: the holder's
/// normalised name and the status digit.
public struct HolderFacts: Sendable {
    public let normalizedName: String
    public let status: Int

    public init(normalizedName: String, status: Int) {
        self.normalizedName = normalizedName
        self.status = status
    }

    init?(_ bytes: [UInt8]) {
        guard let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "2")).contains(first) else { return nil }
        status = Int(first - UInt8(ascii: "0"))
        normalizedName = String(decoding: bytes.dropFirst(), as: UTF8.self)
    }

    /// `status digit ‖ normalised name`.
    public var bytes: [UInt8] { Array(String(status).utf8) + Array(normalizedName.utf8) }

    static func field(_ document: DocumentRecord) -> String { document.holderField }
}
