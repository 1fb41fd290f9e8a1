import Crypto
import Foundation

/// SMART Health Cards: ES256 by the P-256 key named in the header, `zip: DEF`, the
/// health-card type, `nbf`, and the `rid` against the key's revocation list.
extension OfflineVerifier {
    static func healthCard(_ jws: String, context: Context) -> QRVerdict {
        let kind = QRVerdict.Kind.healthCard
        guard let parts = parts(jws) else { return fail(kind, nil, .malformed, "not a compact JWS") }
        let kid = parts.header["kid"] as? String
        guard parts.header["alg"] as? String == "ES256", parts.header["zip"] as? String == "DEF", let kid else {
            return fail(kind, kid, .malformed, "the header must name alg ES256, zip DEF and a kid")
        }
        guard let key = context.jwks.p256[kid] else {
            return fail(kind, kid, .unknownKey, "the JWKS has no P-256 key \(kid) (another deployment's card, or an old JWKS)")
        }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: parts.signature),
              key.isValidSignature(signature, for: parts.signingInput) else {
            return fail(kind, kid, .badSignature, "the signature does not verify with key \(kid): the code was altered or is not this issuer's")
        }
        guard let decoded = claims(parts.payload) else {
            return fail(kind, kid, .malformed, "the payload is not raw DEFLATE of a JSON object")
        }
        let vc = decoded.object["vc"] as? [String: Any]
        guard let types = vc?["type"] as? [String], types.contains("https://smarthealth.cards#health-card") else {
            return fail(kind, kid, .wrongType, "vc.type lacks https://smarthealth.cards#health-card", claims: decoded.bytes)
        }
        if let mismatch = issuerMismatch(kind, kid, decoded.object, decoded.bytes, context: context) { return mismatch }
        let now = context.now.timeIntervalSince1970
        let notBefore = seconds(decoded.object["nbf"])
        if let notBefore, TimeInterval(notBefore) > now + clockSkew {
            return fail(kind, kid, .notYetValid, "not valid before \(time(notBefore))", claims: decoded.bytes)
        }
        if let expiry = seconds(decoded.object["exp"]), TimeInterval(expiry) + clockSkew < now {
            return fail(kind, kid, .expired, "expired at \(time(expiry))", claims: decoded.bytes)
        }
        var revocation = "revocation not checked (no revocation list given)"
        if !context.revocationLists.isEmpty {
            guard let list = context.revocationLists.first(where: { $0.kid == kid }) else {
                return fail(kind, kid, .noRevocationList, "no revocation list given is for key \(kid)", claims: decoded.bytes)
            }
            if let rid = vc?["rid"] as? String, list.revokes(rid: rid, notBefore: notBefore) {
                return fail(kind, kid, .revoked, "rid \(rid) is in the revocation list of key \(kid) (ctr \(list.ctr))", claims: decoded.bytes)
            }
            revocation = "not revoked (revocation list ctr \(list.ctr))"
        }
        return QRVerdict(kind: kind, kid: kid, failure: nil, detail: "a SMART Health Card signed by key \(kid); \(revocation)", claims: decoded.bytes)
    }
}
