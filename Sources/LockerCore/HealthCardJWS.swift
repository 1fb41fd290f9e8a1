import Crypto
import Foundation

/// The compact JWS of a SMART Health Card: ES256 over a raw-DEFLATE-compressed payload, the
/// key named by its RFC 7638 thumbprint.
public enum HealthCardJWS {
    /// The public JWK members RFC 7638 hashes, as base64url coordinates.
    static func coordinates(_ key: P256.Signing.PublicKey) -> (x: String, y: String) {
        let raw = [UInt8](key.rawRepresentation)  // x || y, 32 bytes each
        return (Base64URL.encode(raw[0..<32]), Base64URL.encode(raw[32..<64]))
    }

    /// RFC 7638 JWK thumbprint: SHA-256 of `{"crv","kty","x","y"}` in lexicographic order with
    /// no whitespace, base64url.
    public static func thumbprint(_ key: P256.Signing.PublicKey) -> String {
        let (x, y) = coordinates(key)
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(x)","y":"\#(y)"}"#
        return Base64URL.encode(SHA256.hash(data: Array(canonical.utf8)))
    }

    /// The public JWK published in `/.well-known/jwks.json`.
    public static func jwk(_ key: P256.Signing.PublicKey) -> [String: String] {
        let (x, y) = coordinates(key)
        return ["kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": thumbprint(key), "use": "sig", "alg": "ES256"]
    }

    /// Signs a payload: header `{"alg":"ES256","zip":"DEF","kid":…}`, the payload JSON
    /// raw-DEFLATE-compressed, the signature raw r || s (RFC 7518 §3.4).
    public static func sign(payloadJSON: [UInt8], key: P256.Signing.PrivateKey) throws -> String {
        let kid = thumbprint(key.publicKey)
        let header = Base64URL.encode(Array(#"{"alg":"ES256","zip":"DEF","kid":"\#(kid)"}"#.utf8))
        let payload = Base64URL.encode(try Deflate.compress(payloadJSON, raw: true))
        let signature = try key.signature(for: Array("\(header).\(payload)".utf8))
        return "\(header).\(payload).\(Base64URL.encode(signature.rawRepresentation))"
    }
}
