import Crypto
import Foundation
import LockerCore

/// Keys of SMART Health Cards. The P-256 keys that sign cards are signing-key rows of kind
/// `ES256`, wrapped under a KEK like the status keys and rolled over the same way, except that a
/// retired card key stays published for good: a card has no expiry, so every card a key signed
/// must keep verifying (and keep its revocation list). The first card key is the one earlier
/// versions derived from the index key, stored on first use, so cards made before keep their
/// `kid`. The HMAC key of the revocation ids is still derived from the index key: a `rid`
/// names a document, not a key, so it never changes.
extension Vault {
    /// The ES256 key that signs new cards, and its record (created on first use).
    public func activeCardKey(now: Date = Date()) throws -> (record: SigningKeyRecord, key: P256.Signing.PrivateKey) {
        let record = try records.activeSigningKey(alg: SigningKeyRecord.es256) ?? storeFirstCardKey(now: now)
        return (record, try cardPrivateKey(of: record))
    }

    /// Every card key, retired or not, newest first: what the JWKS publishes and what has a
    /// revocation list. A vault that has none yet stores its first (nothing is unwrapped).
    public func publishedCardKeys(now: Date = Date()) throws -> [P256.Signing.PublicKey] {
        var rows = try records.signingKeys().filter { $0.alg == SigningKeyRecord.es256 }
        if rows.isEmpty { rows = [try storeFirstCardKey(now: now)] }
        return try rows.map { try P256.Signing.PublicKey(x963Representation: $0.publicKey) }
    }

    /// Rolls the card key over: a new random P-256 key signs cards from now on; the old one is
    /// retired (it signs nothing more) and stays in the JWKS for good. Audited as
    /// `admin.card-key-rotated`.
    @discardableResult
    public func rotateCardKey(actor: String, now: Date = Date()) throws -> (new: SigningKeyRecord, retired: [String]) {
        if try records.activeSigningKey(alg: SigningKeyRecord.es256) == nil {
            _ = try storeFirstCardKey(now: now)  // a vault that never made a card still retires its first key
        }
        let fresh = try makeCardKey(P256.Signing.PrivateKey(), now: now)
        let retired = try records.rollSigningKeys(to: fresh, now: now, publishUntil: .distantFuture) { retired in
            AuditEntry(at: now, action: "admin.card-key-rotated", actor: actor, detail: ["kid": fresh.kid, "retired": retired.joined(separator: ",")])
        }
        return (fresh, retired)
    }

    /// Unwraps a card key's private half.
    public func cardPrivateKey(of record: SigningKeyRecord) throws -> P256.Signing.PrivateKey {
        let raw = try Self.unwrapSigningKey(record, ring: keyring)
        return try raw.withUnsafeBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) }
    }

    /// A card's revocation id (the SMART Health Cards `rid`): base64url of the first 8 bytes
    /// of HMAC-SHA256 over the document id, so the CRL names no document.
    public func healthCardRevocationID(documentID: String) -> String {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-shc-rid-v1".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(documentID.utf8), using: key)
        return Base64URL.encode(Array(mac).prefix(8))
    }

    /// `key` as a card-key row: `kid` its RFC 7638 thumbprint (as SMART Health Cards require),
    /// the private half wrapped under the primary KEK.
    func makeCardKey(_ key: P256.Signing.PrivateKey, now: Date) throws -> SigningKeyRecord {
        let ring = keyring
        let kid = HealthCardJWS.thumbprint(key.publicKey)
        let wrapped = try KeyWrap.wrap(SymmetricKey(data: key.rawRepresentation), under: ring.decryptionKey(version: ring.primaryVersion),
                                       aad: Self.signingKeyAAD(kid: kid, kekVersion: ring.primaryVersion))
        return SigningKeyRecord(kid: kid, publicKey: key.publicKey.x963Representation, privateKeyWrapped: Data(wrapped),
                                kekVersion: ring.primaryVersion, createdAt: now, alg: SigningKeyRecord.es256)
    }

    /// Stores the vault's first card key, the legacy one, unless a card key became active
    /// meanwhile; returns the active card key's record.
    func storeFirstCardKey(now: Date) throws -> SigningKeyRecord {
        try records.insertSigningKeyUnlessActive(try makeCardKey(try legacyCardKey(), now: now))
    }

    /// The card key of vaults made before card keys were stored: derived from the index key.
    func legacyCardKey() throws -> P256.Signing.PrivateKey {
        let seed = HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-shc-signing-v1".utf8), outputByteCount: 32)
        return try P256.Signing.PrivateKey(rawRepresentation: seed.withUnsafeBytes { Data($0) })
    }
}
