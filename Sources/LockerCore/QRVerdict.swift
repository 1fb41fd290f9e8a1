/// What an offline check of a scanned QR found: which kind of code it is, under which key,
/// whether it holds, and once the signature verified, the claims it carries.
public struct QRVerdict: Sendable {
    /// The kinds of code a Locker deployment signs.
    public enum Kind: String, Sendable {
        /// A SMART Health Card (`shc:/`, ES256).
        case healthCard = "smart-health-card"
        /// A KYC-VS answer in a status QR (`locker:/`, typ `kyc-vs+jwt`).
        case kycAnswer = "kyc-vs"
        /// A status-scope share statement in a status QR (`locker:/`, typ `share-status+jwt`).
        case shareStatus = "share-status"
    }

    /// Why a code does not hold; the raw value is the stable word scripts match.
    public enum Failure: String, Error, Sendable {
        /// Not `shc:/` or `locker:/` text, or not a compact JWS of the expected form.
        case malformed
        /// No key with the header's `kid` in the JWKS (another deployment, or a stale copy).
        case unknownKey = "unknown-key"
        /// The signature does not verify: the code was altered, or signed by someone else.
        case badSignature = "bad-signature"
        /// Signed, but not the kind its header claims (`typ`, `kind`, `aud` or `vc.type`).
        case wrongType = "wrong-type"
        /// Signed, but its `iss` is not the deployment the verifier trusts (`--iss`).
        case wrongIssuer = "wrong-issuer"
        /// A KYC-VS answer for another verifier (`--audience`).
        case wrongAudience = "wrong-audience"
        /// Past its `exp` (beyond the allowed clock skew).
        case expired
        /// Its `nbf` or `iat` is in the future (beyond the allowed clock skew).
        case notYetValid = "not-yet-valid"
        /// The card's `rid` is in the revocation list.
        case revoked
        /// A share statement that says the document is not valid (`valid: false`).
        case notValid = "not-valid"
        /// Revocation lists were given, but none for the card's key.
        case noRevocationList = "no-revocation-list"
    }

    /// Nil when the text is not a code of a known kind.
    public let kind: Kind?
    /// The header's key id, once read.
    public let kid: String?
    /// Nil when the code holds.
    public let failure: Failure?
    /// One line for a person: what holds, or what failed and why.
    public let detail: String
    /// The payload JSON, once the signature verified (also for an expired or revoked code).
    public let claims: [UInt8]?

    /// Whether the code holds: signature, kind, time and revocation.
    public var isValid: Bool { failure == nil }

    /// A verdict; `failure` nil means the code holds.
    public init(kind: Kind?, kid: String?, failure: Failure?, detail: String, claims: [UInt8]? = nil) {
        self.kind = kind
        self.kid = kid
        self.failure = failure
        self.detail = detail
        self.claims = claims
    }
}
