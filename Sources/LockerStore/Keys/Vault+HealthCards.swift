import Crypto
import Foundation
import LockerCore

/// Keys of SMART Health Cards, derived from the vault's index key (which KEK rotation keeps)
/// so they need no storage of their own: the P-256 key that signs the cards and the HMAC key
/// of their revocation ids. Rotating the signing key (a stored key with a published
/// predecessor, as the Ed25519 status keys have) is future work.
extension Vault {
    /// The ES256 key that signs SMART Health Cards.
    public func healthCardSigningKey() throws -> P256.Signing.PrivateKey {
        let seed = HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-shc-signing-v1".utf8), outputByteCount: 32)
        return try P256.Signing.PrivateKey(rawRepresentation: seed.withUnsafeBytes { Data($0) })
    }

    /// A card's revocation id (the SMART Health Cards `rid`): base64url of the first 8 bytes
    /// of HMAC-SHA256 over the document id, so the CRL names no document.
    public func healthCardRevocationID(documentID: String) -> String {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-shc-rid-v1".utf8), outputByteCount: 32)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(documentID.utf8), using: key)
        return Base64URL.encode(Array(mac).prefix(8))
    }
}
