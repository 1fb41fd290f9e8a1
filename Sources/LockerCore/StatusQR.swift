import Crypto
import Foundation

/// Locker's status QR: a signed status (a KYC-VS answer or a status-scope share statement) for
/// a verifier with no network. The QR holds a compact JWS with exactly the statement's payload
/// JSON, raw-DEFLATE-compressed and signed again by the same Ed25519 key, header
/// `{"alg":"Ed25519","kid","typ","zip":"DEF"}` (`zip` as SMART Health Cards use it); the text
/// is `locker:/` then two digits per JWS character, as `shc:/` does, for QR's numeric mode.
public enum StatusQR {
    /// The prefix, encoded in byte mode ahead of the numeric digits.
    public static let prefix = "locker:/"

    /// The statement is not a compact JWS whose header and payload decode.
    public struct Malformed: Error, Sendable {}

    /// The protected header of a compressed statement: keys sorted, no whitespace.
    public static func encodedHeader(kid: String, type: String) throws -> String {
        let header: [String: Any] = ["alg": "Ed25519", "kid": kid, "typ": type, "zip": "DEF"]
        return Base64URL.encode(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// The compressed JWS of a signed statement: the statement's own `typ` and payload bytes,
    /// compressed, signed with `key` under `kid`. Nothing is added and nothing left out.
    public static func compressedJWS(statement: String, kid: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        let parts = statement.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              let type = header["typ"] as? String, let payload = Base64URL.decode(String(parts[1])) else { throw Malformed() }
        let compressed = try Deflate.compress(payload, raw: true)
        return try CompactJWS.sign(encodedHeader: try encodedHeader(kid: kid, type: type), payloadJSON: compressed, key: key)
    }

    /// The whole QR text: `locker:/` and the digits.
    public static func text(_ compressedJWS: String) -> String { prefix + NumericQR.digits(compressedJWS) }

    /// The compressed JWS back from QR text; nil without the prefix or with malformed digits.
    public static func jws(fromText text: String) -> String? { NumericQR.jws(fromText: text, prefix: prefix) }
}
