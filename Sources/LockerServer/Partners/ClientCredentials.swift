import Foundation
import Hummingbird
import LockerCore

/// How a partner app authenticated at the token and revocation endpoints: HTTP Basic
/// (`client_secret_basic`, id and secret form-urlencoded first, RFC 6749 §2.3.1), form fields
/// (`client_secret_post`), or `client_id` alone for a public app.
struct ClientCredentials: Sendable {
    var clientID: String
    var secret: String?
    var basic: Bool

    /// The credentials of a request; `invalid_request` when they are given twice or malformed.
    static func read(_ request: Request, form: [String: String]) throws -> ClientCredentials {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic" else { throw OAuthError.invalidClient(basic: true) }
            guard form["client_secret"] == nil, let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":"),
                  let id = Self.formDecode(text[..<colon]), let secret = Self.formDecode(text[text.index(after: colon)...]) else {
                throw OAuthError.invalidClient(basic: true)
            }
            if let formID = form["client_id"], formID != id { throw OAuthError.invalidRequest("client_id differs from the Basic credentials.") }
            return ClientCredentials(clientID: id, secret: secret, basic: true)
        }
        guard let id = form["client_id"], !id.isEmpty else { throw OAuthError.invalidClient(basic: false) }
        return ClientCredentials(clientID: id, secret: form["client_secret"], basic: false)
    }

    private static func formDecode(_ s: Substring) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
