import Crypto
import Foundation

/// Compact JWS (RFC 7515) signed with Ed25519, using the fully-specified algorithm name
/// `Ed25519` of RFC 9864 rather than the deprecated `EdDSA`.
public enum CompactJWS {
    /// The encoded protected header for a key id and an explicit `typ` (RFC 8725 §3.11: each
    /// kind of token its own type, so one cannot pass for another); callers on a hot path
    /// compute it once.
    public static func encodedHeader(kid: String, type: String) throws -> String {
        let header: [String: Any] = ["alg": "Ed25519", "kid": kid, "typ": type]
        return Base64URL.encode(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    }

    /// Signs pre-encoded header and payload JSON bytes.
    public static func sign(encodedHeader: String, payloadJSON: [UInt8], key: Curve25519.Signing.PrivateKey) throws -> String {
        let p = Base64URL.encode(payloadJSON)
        let signature = try key.signature(for: Array("\(encodedHeader).\(p)".utf8))
        return "\(encodedHeader).\(p).\(Base64URL.encode(signature))"
    }

    /// JSON string literal with the escapes RFC 8259 requires.
    public static func jsonString(_ s: String) -> String { JSONText.string(s) }

    /// Verifies a compact JWS against a public key; returns the payload object, or nil.
    public static func verify(_ token: String, publicKey: Curve25519.Signing.PublicKey) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(String(parts[2])),
              let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              header["alg"] as? String == "Ed25519",
              publicKey.isValidSignature(signature, for: Array("\(parts[0]).\(parts[1])".utf8)),
              let payloadBytes = Base64URL.decode(String(parts[1])) else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(payloadBytes)) as? [String: Any]
    }

    /// One JWK (RFC 8037 OKP) for a public key.
    public static func jwk(kid: String, publicKey: [UInt8]) -> [String: String] {
        ["kty": "OKP", "crv": "Ed25519", "x": Base64URL.encode(publicKey), "kid": kid, "alg": "Ed25519", "use": "sig"]
    }
}
