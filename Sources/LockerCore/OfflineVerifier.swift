import Foundation

/// Checks a scanned code with no network, from a JWKS and revocation lists the verifier cached
/// earlier: a SMART Health Card (`shc:/`, ES256, the P-256 key by `kid`) or a Locker status QR
/// (`locker:/`, Ed25519, the status key by `kid`). Signature first; the payload is read only
/// once it verified. No I/O: the caller reads the files and the clock.
public enum OfflineVerifier {
    /// Clock skew allowed on `exp`, `nbf` and `iat` (docs/api.md, "Checking a signed status").
    public static let clockSkew: TimeInterval = 60

    /// What the verifier brings: its cached keys and lists, its clock, its own verifier id.
    public struct Context: Sendable {
        /// The deployment's `/.well-known/jwks.json`.
        public var jwks: JWKSet
        /// Revocation lists (`/.well-known/crl/{kid}.json`); empty means revocation is not checked.
        public var revocationLists: [RevocationList]
        /// The time to judge `exp` and `nbf` by.
        public var now: Date
        /// A KYC-VS answer must name this verifier id in `aud`; nil skips that check.
        public var audience: String?
        /// The code's `iss` must equal this (the deployment's public URL, as the verifier trusts
        /// it); nil skips that check.
        public var issuer: String?

        /// A context; revocation unchecked, and no audience or issuer checked, unless given.
        public init(jwks: JWKSet, revocationLists: [RevocationList] = [], now: Date = Date(), audience: String? = nil, issuer: String? = nil) {
            self.jwks = jwks
            self.revocationLists = revocationLists
            self.now = now
            self.audience = audience
            self.issuer = issuer
        }
    }

    /// The verdict on QR text (surrounding whitespace ignored).
    public static func verify(_ text: String, context: Context) -> QRVerdict {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix(HealthCardQR.prefix) {
            guard let jws = HealthCardQR.jws(fromText: text) else {
                return fail(.healthCard, nil, .malformed, "the text after shc:/ is not pairs of digits 00-77")
            }
            return healthCard(jws, context: context)
        }
        if text.hasPrefix(StatusQR.prefix) {
            guard let jws = StatusQR.jws(fromText: text) else {
                return fail(nil, nil, .malformed, "the text after locker:/ is not pairs of digits 00-77")
            }
            return status(jws, context: context)
        }
        return fail(nil, nil, .malformed, "not a SMART Health Card (shc:/…) or a Locker status code (locker:/…)")
    }

    /// The parts of a compact JWS, decoded.
    struct Parts {
        let header: [String: Any]
        let signingInput: [UInt8]
        let payload: [UInt8]
        let signature: [UInt8]
    }

    /// Splits and decodes a compact JWS. Each part must be canonical base64url (re-encoding
    /// gives it back), so no character of the text, the signature's last one included, can
    /// change without failing.
    static func parts(_ jws: String) -> Parts? {
        let pieces = jws.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count == 3, let headerBytes = Base64URL.decode(pieces[0]),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              let payload = Base64URL.decode(pieces[1]), let signature = Base64URL.decode(pieces[2]),
              Base64URL.encode(headerBytes) == pieces[0], Base64URL.encode(payload) == pieces[1],
              Base64URL.encode(signature) == pieces[2] else { return nil }
        return Parts(header: header, signingInput: Array("\(pieces[0]).\(pieces[1])".utf8), payload: payload, signature: signature)
    }

    /// The raw-DEFLATE payload inflated, as bytes and as a JSON object; nil if either fails.
    static func claims(_ compressed: [UInt8]) -> (bytes: [UInt8], object: [String: Any])? {
        guard let bytes = try? Inflate.decompressRaw(compressed, limit: 64 * 1024),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else { return nil }
        return (bytes, object)
    }

    /// A NumericDate claim (RFC 7519 §2) in whole seconds.
    static func seconds(_ value: Any?) -> Int? {
        if let n = value as? Int { return n }
        if let d = value as? Double, d.isFinite, abs(d) < 1e15 { return Int(d) }
        return nil
    }

    /// A time for a person, RFC 3339 UTC.
    static func time(_ seconds: Int) -> String {
        Timestamp.string(Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The wrong-issuer verdict when `context.issuer` is set and the claims' `iss` differs; nil otherwise.
    static func issuerMismatch(_ kind: QRVerdict.Kind?, _ kid: String, _ object: [String: Any], _ claims: [UInt8], context: Context) -> QRVerdict? {
        guard let wanted = context.issuer, object["iss"] as? String != wanted else { return nil }
        return fail(kind, kid, .wrongIssuer, "issued by \(object["iss"] as? String ?? "(no iss)"), not \(wanted)", claims: claims)
    }

    static func fail(_ kind: QRVerdict.Kind?, _ kid: String?, _ failure: QRVerdict.Failure, _ detail: String,
                     claims: [UInt8]? = nil) -> QRVerdict {
        QRVerdict(kind: kind, kid: kid, failure: failure, detail: detail, claims: claims)
    }
}
