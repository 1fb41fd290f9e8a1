import Foundation
import Hummingbird
import HTTPTypes

/// An OAuth 2.0 error as DigiLocker's partner API and RFC 6749/6750 give it: JSON
/// `{error, error_description}`, never cached.
struct OAuthError: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var description: String
    var headers: HTTPFields = [:]

    static func invalidRequest(_ description: String) -> OAuthError { OAuthError(status: .badRequest, code: "invalid_request", description: description) }
    static func invalidGrant(_ description: String) -> OAuthError { OAuthError(status: .badRequest, code: "invalid_grant", description: description) }

    /// Unknown or disabled client, or a wrong secret. `basic`: the client tried HTTP Basic, so
    /// the answer names that scheme (RFC 6749 §5.2).
    static func invalidClient(basic: Bool) -> OAuthError {
        OAuthError(status: .unauthorized, code: "invalid_client", description: "Client authentication failed (unknown or disabled client, or a wrong secret).",
                   headers: basic ? [.wwwAuthenticate: "Basic realm=\"locker\""] : [:])
    }

    static let invalidToken = OAuthError(status: .unauthorized, code: "invalid_token", description: "The access token is missing, unknown, expired or its connection has ended.",
                                         headers: [.wwwAuthenticate: "Bearer realm=\"locker\", error=\"invalid_token\""])

    static func insufficientScope(_ scope: PartnerScope) -> OAuthError {
        OAuthError(status: .forbidden, code: "insufficient_scope", description: "This connection does not allow \(scope.rawValue) (\(scope.plainWords)).",
                   headers: [.wwwAuthenticate: "Bearer realm=\"locker\", error=\"insufficient_scope\", scope=\"\(scope.rawValue)\""])
    }

    static let invalidURI = OAuthError(status: .notFound, code: "invalid_uri", description: "No certificate with this URI is available to this connection.")

    func response() -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("Pragma")!] = "no-cache"
        let body = (try? JSONSerialization.data(withJSONObject: ["error": code, "error_description": description], options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
