import Crypto
import Foundation

/// The issuer's detached signature on a push: Ed25519 over
/// `"locker-push-v1" ‖ 0x00 ‖ SHA-256(metadata bytes as sent) ‖ SHA-256(content bytes)`.
///
/// Signing the exact bytes sent (not a re-serialisation) lets any client in any language
/// produce and check it, and lets the owner prove provenance later from what Locker returns.
public enum PushSignature {
    /// The signed message, from the two digests.
    public static func message(metadataSHA256: [UInt8], contentSHA256: [UInt8]) -> [UInt8] {
        Array("locker-push-v1".utf8) + [0] + metadataSHA256 + contentSHA256
    }

    /// Whether `signature` (64 bytes) verifies under the issuer's raw 32-byte Ed25519 key.
    public static func verify(signature: [UInt8], publicKey: [UInt8], metadataSHA256: [UInt8], contentSHA256: [UInt8]) -> Bool {
        guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message(metadataSHA256: metadataSHA256, contentSHA256: contentSHA256))
    }

    /// Reads an Ed25519 public key from PEM (SubjectPublicKeyInfo, as `openssl pkey -pubout`
    /// writes it) or from base64 of the 32 raw bytes.
    public static func parsePublicKey(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN PUBLIC KEY-----") {
            let body = trimmed.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            guard let der = Data(base64Encoded: body).map(Array.init) else { return nil }
            // SPKI for Ed25519: SEQUENCE { SEQUENCE { OID 1.3.101.112 } BIT STRING { 32 bytes } }
            let prefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
            guard der.count == 44, Array(der.prefix(12)) == prefix else { return nil }
            return Array(der.suffix(32))
        }
        if let raw = Data(base64Encoded: trimmed), raw.count == 32 { return Array(raw) }
        if let raw = Base64URL.decode(trimmed), raw.count == 32 { return raw }
        return nil
    }

    /// The signature part for a push, as unpadded base64url: what an issuer's tool sends.
    public static func sign(metadata: [UInt8], content: [UInt8], privateKey seed: [UInt8]) throws -> String {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let signed = message(metadataSHA256: Array(SHA256.hash(data: metadata)), contentSHA256: Array(SHA256.hash(data: content)))
        return Base64URL.encode(try key.signature(for: signed))
    }

    /// The 32-byte Ed25519 seed from a PEM private key as `openssl genpkey -algorithm ed25519`
    /// writes it (PKCS#8 `PRIVATE KEY`, with or without the public key attached); nil for
    /// anything else, including encrypted keys and other algorithms.
    public static func parsePrivateKey(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("-----BEGIN PRIVATE KEY-----"), trimmed.hasSuffix("-----END PRIVATE KEY-----") else { return nil }
        let body = trimmed.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: String(body)).map(Array.init), der.count >= 48 else { return nil }
        // PrivateKeyInfo: SEQUENCE { INTEGER 0|1, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) } … }
        let algorithm: [UInt8] = [0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
        guard der[0] == 0x30, der[2] == 0x02, der[3] == 0x01, der[4] <= 1, Array(der[5..<16]) == algorithm else { return nil }
        return Array(der[16..<48])
    }
}
