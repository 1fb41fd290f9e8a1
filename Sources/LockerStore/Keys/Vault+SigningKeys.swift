import Crypto
import Foundation
import LockerCore

extension Vault {
    static func signingKeyAAD(kid: String, kekVersion: Int) -> [UInt8] {
        var out = Array("locker-signing-key-v1|".utf8)
        out += Array(kid.utf8)
        out += Array("|\(kekVersion)".utf8)
        return out
    }

    /// A new status-signing key, wrapped under the primary KEK (not yet stored).
    public func makeSigningKey(now: Date = Date()) throws -> SigningKeyRecord {
        let ring = keyring
        let key = Curve25519.Signing.PrivateKey()
        let kid = "locker-" + SecureRandom.identifier(byteCount: 8)
        let wrapped = try KeyWrap.wrap(SymmetricKey(data: key.rawRepresentation), under: ring.decryptionKey(version: ring.primaryVersion),
                                       aad: Self.signingKeyAAD(kid: kid, kekVersion: ring.primaryVersion))
        return SigningKeyRecord(kid: kid, publicKey: key.publicKey.rawRepresentation, privateKeyWrapped: Data(wrapped),
                                kekVersion: ring.primaryVersion, createdAt: now)
    }

    /// A signing key's private half as the raw key `ring` unwraps.
    static func unwrapSigningKey(_ record: SigningKeyRecord, ring: Keyring) throws -> SymmetricKey {
        let kek = try ring.decryptionKey(version: record.kekVersion)
        return try KeyWrap.unwrap([UInt8](record.privateKeyWrapped), under: kek, aad: signingKeyAAD(kid: record.kid, kekVersion: record.kekVersion))
    }

    /// Unwraps a signing key's private half.
    public func privateKey(of record: SigningKeyRecord) throws -> Curve25519.Signing.PrivateKey {
        let raw = try Self.unwrapSigningKey(record, ring: keyring)
        return try raw.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
    }

    /// The key that signs new answers: the newest unretired one, created on first use.
    public func activeSigningKey(now: Date = Date()) throws -> SigningKeyRecord {
        if let key = try records.activeSigningKey(alg: SigningKeyRecord.ed25519) { return key }
        return try records.insertSigningKeyUnlessActive(try makeSigningKey(now: now))
    }

    /// Status keys to publish: every Ed25519 key not retired, and retired ones until their
    /// `publishUntil`.
    public func publishedSigningKeys(now: Date) throws -> [SigningKeyRecord] {
        try records.signingKeys().filter { $0.alg == SigningKeyRecord.ed25519 && ($0.retiredAt == nil || ($0.publishUntil ?? .distantPast) > now) }
    }
}

extension Vault {
    /// How long a signed answer (a KYC-VS status answer or a share's status statement) is valid.
    /// A retired signing key stays published this long, plus `publishMargin` for clock skew.
    public static let signedAnswerLifetime: TimeInterval = 300
    /// Extra time a retired key stays in the JWKS, for verifiers whose clocks run behind.
    public static let publishMargin: TimeInterval = 60

    /// Rolls the status-signing key over: a new key signs from now on; every key that was
    /// signing is retired but stays in the JWKS until what it signed has expired.
    @discardableResult
    public func rotateSigningKey(actor: String, now: Date = Date()) throws -> (new: SigningKeyRecord, retired: [String]) {
        let fresh = try makeSigningKey(now: now)
        let publishUntil = now.addingTimeInterval(Self.signedAnswerLifetime + Self.publishMargin)
        let retired = try records.rollSigningKeys(to: fresh, now: now, publishUntil: publishUntil) { retired in
            AuditEntry(at: now, action: "admin.signing-key-rotated", actor: actor,
                       detail: ["kid": fresh.kid, "retired": retired.joined(separator: ","), "publishUntil": Timestamp.string(publishUntil)])
        }
        return (fresh, retired)
    }

    /// The kid of the signing key in use (the newest not retired), if there is one.
    public func currentSigningKid() throws -> String? {
        try records.activeSigningKey(alg: SigningKeyRecord.ed25519)?.kid
    }
}
