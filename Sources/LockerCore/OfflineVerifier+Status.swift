import Crypto
import Foundation

/// Locker status QR codes: Ed25519 by the status key named in the header, `zip: DEF`, then the
/// checks docs/api.md lists for a signed status (typ and kind agree, `aud`, `exp`, `valid`).
extension OfflineVerifier {
    /// `aud` of every share statement (StatusService.shareStatusAudience).
    static let shareStatusAudience = "locker:share-status"

    static func status(_ jws: String, context: Context) -> QRVerdict {
        guard let parts = parts(jws) else { return fail(nil, nil, .malformed, "not a compact JWS") }
        let kid = parts.header["kid"] as? String
        let kind: QRVerdict.Kind? = switch parts.header["typ"] as? String {
        case "kyc-vs+jwt": .kycAnswer
        case "share-status+jwt": .shareStatus
        default: nil
        }
        guard parts.header["alg"] as? String == "Ed25519", parts.header["zip"] as? String == "DEF", let kid else {
            return fail(kind, kid, .malformed, "the header must name alg Ed25519, zip DEF and a kid")
        }
        guard let key = context.jwks.ed25519[kid] else {
            return fail(kind, kid, .unknownKey, "the JWKS has no Ed25519 key \(kid) (another deployment's code, or an old JWKS)")
        }
        guard key.isValidSignature(parts.signature, for: parts.signingInput) else {
            return fail(kind, kid, .badSignature, "the signature does not verify with key \(kid): the code was altered or is not this issuer's")
        }
        guard let decoded = claims(parts.payload) else {
            return fail(kind, kid, .malformed, "the payload is not raw DEFLATE of a JSON object")
        }
        let payload = decoded.object
        guard let kind, payload["kind"] as? String == kind.rawValue else {
            return fail(kind, kid, .wrongType, "typ and kind must be kyc-vs+jwt and kyc-vs, or share-status+jwt and share-status", claims: decoded.bytes)
        }
        if let mismatch = issuerMismatch(kind, kid, payload, decoded.bytes, context: context) { return mismatch }
        let audience = payload["aud"] as? String
        if kind == .shareStatus, audience != shareStatusAudience {
            return fail(kind, kid, .wrongType, "a share statement's aud must be \(shareStatusAudience)", claims: decoded.bytes)
        }
        if kind == .kycAnswer, let wanted = context.audience, audience != wanted {
            return fail(kind, kid, .wrongAudience, "the answer is for verifier \(audience ?? "(none)"), not \(wanted)", claims: decoded.bytes)
        }
        let now = context.now.timeIntervalSince1970
        guard let expiry = seconds(payload["exp"]) else { return fail(kind, kid, .malformed, "no exp", claims: decoded.bytes) }
        if TimeInterval(expiry) + clockSkew < now {
            return fail(kind, kid, .expired, "expired at \(time(expiry))", claims: decoded.bytes)
        }
        if let issued = seconds(payload["iat"]), TimeInterval(issued) > now + clockSkew {
            return fail(kind, kid, .notYetValid, "issued in the future, at \(time(issued))", claims: decoded.bytes)
        }
        if kind == .shareStatus, payload["valid"] as? Bool != true {
            return fail(kind, kid, .notValid, "signed, but the statement says the document is not valid", claims: decoded.bytes)
        }
        let what = kind == .kycAnswer ? "a KYC-VS answer" : "a share statement"
        return QRVerdict(kind: kind, kid: kid, failure: nil, detail: "\(what) signed by key \(kid), valid until \(time(expiry))", claims: decoded.bytes)
    }
}
