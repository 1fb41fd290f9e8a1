import Crypto
import Foundation

/// Seals a small field (a mobile number, a set of claims) under a citizen's data key, bound to
/// the owner and to what the field is, so a sealed mobile number cannot stand in for claims.
public enum FieldSeal {
    /// nonce ‖ ciphertext ‖ tag.
    public static func seal(_ plaintext: [UInt8], key: SymmetricKey, field: String, ownerID: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: AES.GCM.Nonce(), authenticating: aad(field: field, ownerID: ownerID))
        guard let combined = box.combined else { throw VaultCryptoError.badKey }
        return [UInt8](combined)
    }

    /// Opens a field sealed by `seal`.
    public static func open(_ sealed: [UInt8], key: SymmetricKey, field: String, ownerID: String) throws -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return [UInt8](try AES.GCM.open(box, using: key, authenticating: aad(field: field, ownerID: ownerID)))
        } catch {
            throw VaultCryptoError.authenticationFailed
        }
    }

    static func aad(field: String, ownerID: String) -> [UInt8] {
        var out = Array("locker-field-v1".utf8)
        out.appendLengthPrefixed(Array(field.utf8))
        out.appendLengthPrefixed(Array(ownerID.utf8))
        return out
    }
}
