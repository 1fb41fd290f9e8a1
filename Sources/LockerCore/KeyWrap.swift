import Crypto
import Foundation

/// Wraps one 256-bit key under another with AES-256-GCM and a random 96-bit nonce.
///
/// The associated data says what the wrapped key is for, so a citizen's data key wrapped for one
/// owner cannot be unwrapped as another owner's, nor a content key as a data key.
public enum KeyWrap {
    /// Wrapped length: nonce (12) + key (32) + tag (16).
    public static let wrappedSize = 60

    /// Seals `key` under `wrappingKey`, returning nonce ‖ ciphertext ‖ tag.
    public static func wrap(_ key: SymmetricKey, under wrappingKey: SymmetricKey, aad: [UInt8], nonce: AES.GCM.Nonce = AES.GCM.Nonce()) throws -> [UInt8] {
        guard key.bitCount == 256, wrappingKey.bitCount == 256 else { throw VaultCryptoError.badKey }
        let box = try key.withUnsafeBytes { raw in
            try AES.GCM.seal(raw, using: wrappingKey, nonce: nonce, authenticating: aad)
        }
        guard let combined = box.combined else { throw VaultCryptoError.badKey }
        return [UInt8](combined)
    }

    /// Opens a key sealed by `wrap`; any change to it, or to the associated data, is refused.
    public static func unwrap(_ wrapped: [UInt8], under wrappingKey: SymmetricKey, aad: [UInt8]) throws -> SymmetricKey {
        guard wrapped.count == wrappedSize else { throw VaultCryptoError.badLength }
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            let raw = try AES.GCM.open(box, using: wrappingKey, authenticating: aad)
            return SymmetricKey(data: raw)
        } catch {
            throw VaultCryptoError.authenticationFailed
        }
    }

    /// `count` fresh random nonces from one draw of the CSPRNG (BoringSSL's DRBG), for wrapping
    /// many keys at once without a system call per nonce.
    public static func nonces(_ count: Int) -> [AES.GCM.Nonce] {
        guard count > 0 else { return [] }
        let pool = SymmetricKey(size: SymmetricKeySize(bitCount: 96 * count))
        return pool.withUnsafeBytes { raw in
            (0..<count).map { i in try! AES.GCM.Nonce(data: raw[(i * 12)..<(i * 12 + 12)]) }
        }
    }

    /// Associated data for a citizen's data key wrapped under KEK `kekVersion`.
    public static func dataKeyAAD(ownerID: String, kekVersion: Int) -> [UInt8] {
        var out = Array("locker-dek-v1".utf8)
        out.appendLengthPrefixed(Array(ownerID.utf8))
        out.appendBigEndian(UInt32(truncatingIfNeeded: kekVersion))
        return out
    }

    /// Associated data for a document's content key wrapped under the owner's data key.
    public static func contentKeyAAD(context: EnvelopeContext) -> [UInt8] {
        Array("locker-ck-v1".utf8) + context.encoded
    }
}
