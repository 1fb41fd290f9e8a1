import Foundation
import Hummingbird

/// An RFC 9457 problem: every error Locker answers with. The `type` is stable, so clients can
/// branch on it; the `detail` is written for people and never carries an internal error dump.
public struct Problem: HTTPResponseError, Sendable {
    /// HTTP status.
    public let status: HTTPResponse.Status
    /// Stable slug: the `type` is `/problems/<slug>`.
    public let slug: String
    /// Short, fixed summary for the slug.
    public let title: String
    /// What went wrong with this request, safe to show.
    public let detail: String?
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ slug: String, _ title: String, detail: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers
    }

    /// The `type` member.
    public var type: String { "/problems/\(slug)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONResponse.encoder.encode(ProblemBody(type: type, title: title, status: Int(status.code), detail: detail))
        var fields = headers
        fields[.contentType] = "application/problem+json"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    /// The one answer for "no such thing, or not yours": identical for both, so it leaks nothing.
    public static let notFound = Problem(.notFound, "not-found", "Not found", detail: "No such resource.")
    public static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "bad-request", "Bad request", detail: detail) }
    public static func tooLarge(limit: Int) -> Problem {
        Problem(.contentTooLarge, "payload-too-large", "Payload too large", detail: "The request body exceeds the limit of \(limit) bytes.")
    }
    public static let methodNotAllowed = Problem(.methodNotAllowed, "method-not-allowed", "Method not allowed", detail: "This path does not accept that method; see the Allow header.")
    /// A stored document that no longer decrypts (a damaged or altered blob): nothing is sent.
    public static let integrityFailure = Problem(.internalServerError, "integrity-failure", "Stored document damaged",
                                                 detail: "The stored copy failed its integrity check, so none of it was sent. The operators have been alerted; the issuer can push it again.")
    public static let internalError = Problem(.internalServerError, "internal", "Internal error", detail: "The server could not complete the request; nothing was changed.")
    /// The shared database (PostgreSQL) cannot be reached: nothing was stored for this request.
    public static let databaseUnavailable = Problem(
        .serviceUnavailable, "database-unavailable", "Database unavailable",
        detail: "The database cannot be reached; nothing was stored for this request. Try again shortly.", headers: [.retryAfter: "2"])
    /// The object store holding sealed documents cannot be reached: nothing was stored (or sent) for this request.
    public static let blobStoreUnavailable = Problem(
        .serviceUnavailable, "blob-store-unavailable", "Document store unavailable",
        detail: "The object store holding documents cannot be reached; nothing was stored for this request. Try again shortly.", headers: [.retryAfter: "5"])
    /// The HSM holding the root key did not answer when the key ring had to be read again.
    public static let rootKeyUnavailable = Problem(
        .serviceUnavailable, "root-key-unavailable", "Key store unavailable",
        detail: "The key store cannot be reached; nothing was stored for this request. Try again shortly.", headers: [.retryAfter: "2"])
    public static let unavailable = Problem(.serviceUnavailable, "unavailable", "Service unavailable", detail: "Storage is not available; try again shortly.")
}
