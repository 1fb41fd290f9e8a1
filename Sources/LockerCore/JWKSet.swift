import Crypto
import Foundation

/// A JWK Set (RFC 7517 §5) as `/.well-known/jwks.json` publishes it, cached by an offline
/// verifier: the Ed25519 keys of status answers (`OKP`) and the P-256 key of SMART Health Cards
/// (`EC`), looked up by `kid`. Keys of other types, or whose members do not decode, are skipped.
public struct JWKSet: Sendable {
    /// Ed25519 public keys by `kid`.
    public let ed25519: [String: Curve25519.Signing.PublicKey]
    /// P-256 public keys by `kid`.
    public let p256: [String: P256.Signing.PublicKey]

    /// The file is not a JSON object with a `keys` array.
    public struct Malformed: Error, Sendable {}

    /// Reads `{"keys": [...]}`.
    public init(json: [UInt8]) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]] else { throw Malformed() }
        var ed = [String: Curve25519.Signing.PublicKey]()
        var ec = [String: P256.Signing.PublicKey]()
        for jwk in keys {
            guard let kid = jwk["kid"] as? String, let kty = jwk["kty"] as? String, let crv = jwk["crv"] as? String,
                  let x = (jwk["x"] as? String).flatMap(Base64URL.decode) else { continue }
            if kty == "OKP", crv == "Ed25519", let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x) {
                ed[kid] = key
            } else if kty == "EC", crv == "P-256", let y = (jwk["y"] as? String).flatMap(Base64URL.decode), x.count == 32, y.count == 32,
                      let key = try? P256.Signing.PublicKey(rawRepresentation: x + y) {
                ec[kid] = key
            }
        }
        ed25519 = ed
        p256 = ec
    }
}
