import Foundation
import LockerCore
import LockerStore

/// A checked authorization request (`GET /public/oauth2/1/authorize`, the consent page and its
/// form): the registered partner, one of its redirect URIs exactly, a PKCE S256 challenge and
/// known scopes. Until the client and redirect URI are trusted, a refusal is a page; after that
/// it goes back to the partner as `error=` on its redirect URI (RFC 6749 §4.1.2.1).
struct AuthorizationRequest: Sendable {
    var partner: PartnerRecord
    var redirectURI: String
    var state: String?
    var codeChallenge: String
    var scopes: [PartnerScope]

    enum Refusal: Error, Sendable {
        /// No trustworthy redirect URI: say so on a page, send nobody anywhere.
        case page(String)
        /// Sent back to the (registered) redirect URI.
        case redirect(String)
    }

    /// The parameters as the authorize URL carries them (and the consent form repeats them).
    static let fields = ["response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope"]

    static func check(_ p: [String: String], partner find: (String) throws -> PartnerRecord?) throws -> AuthorizationRequest {
        guard let clientID = p["client_id"], Validate.issuerID(clientID), let partner = try find(clientID), !partner.disabled else {
            throw Refusal.page("This app is not registered with Locker, or has been disabled.")
        }
        guard let redirectURI = p["redirect_uri"], partner.redirectURIList.contains(redirectURI) else {
            throw Refusal.page("This app asked to send you back to an address it has not registered with Locker.")
        }
        let state = p["state"]
        func back(_ error: String, _ description: String) -> Refusal {
            .redirect(redirect(redirectURI, [("error", error), ("error_description", description)] + (state.map { [("state", $0)] } ?? [])))
        }
        if let state, state.utf8.count > 1000 || !state.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
            throw Refusal.redirect(redirect(redirectURI, [("error", "invalid_request"), ("error_description", "state must be at most 1000 printable ASCII characters")]))
        }
        guard p["response_type"] == "code" else { throw back("unsupported_response_type", "response_type must be code") }
        guard p["code_challenge_method"] == "S256" else { throw back("invalid_request", "PKCE is required with code_challenge_method=S256 (plain is not accepted)") }
        guard let challenge = p["code_challenge"], challenge.utf8.count == 43, PKCE.wellFormed(challenge) else {
            throw back("invalid_request", "code_challenge must be the 43-character BASE64URL(SHA256(code_verifier))")
        }
        guard let scopes = PartnerScope.parse(p["scope"]) else {
            throw back("invalid_scope", "known scopes: " + PartnerScope.allCases.map(\.rawValue).joined(separator: " "))
        }
        return AuthorizationRequest(partner: partner, redirectURI: redirectURI, state: state, codeChallenge: challenge, scopes: scopes)
    }

    /// The parameters again, for the consent form and the portal's own authorize URL.
    var parameters: [(String, String)] {
        [("response_type", "code"), ("client_id", partner.id), ("redirect_uri", redirectURI)] + (state.map { [("state", $0)] } ?? [])
            + [("code_challenge", codeChallenge), ("code_challenge_method", "S256"), ("scope", scopes.map(\.rawValue).joined(separator: " "))]
    }

    /// `/portal/authorize?…`: the consent page on Locker's own origin.
    var portalPath: String { "/portal/authorize?" + Self.query(parameters) }

    /// The redirect URI with `extra` appended to its query.
    static func redirect(_ uri: String, _ extra: [(String, String)]) -> String {
        uri + (uri.contains("?") ? "&" : "?") + query(extra)
    }

    /// The CSP source that lets the consent form's redirect reach this URI and nothing else of
    /// the partner's: scheme, host, port and path (a query is not part of a source), with `;`
    /// and `,` percent-encoded; a private-use scheme as `scheme:`.
    var formActionSource: String {
        guard let colon = redirectURI.firstIndex(of: ":") else { return "'none'" }
        let scheme = redirectURI[..<colon].lowercased()
        guard scheme == "https" || scheme == "http" else { return scheme + ":" }
        let withoutQuery = redirectURI.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? redirectURI
        return withoutQuery.replacingOccurrences(of: ";", with: "%3B").replacingOccurrences(of: ",", with: "%2C")
    }

    static func query(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(0x80)))
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }
}
