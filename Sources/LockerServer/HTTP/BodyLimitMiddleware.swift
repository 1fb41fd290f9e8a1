import Foundation
import Hummingbird
import Logging

/// Refuses bodies over the limit: at once when `Content-Length` says so (before reading a
/// byte), and mid-stream for chunked bodies that grow past it. It also gives each request's
/// context its router's limit, so JSON decoding honours it. (Hummingbird builds a context from
/// the channel alone; the limit used to reach it through a process-wide static that every
/// `buildRouter` overwrote, so two routers in one process shared the last one's.)
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = LockerRequestContext
    /// What JSON decoding may collect (`--max-body-bytes`).
    let maxUploadSize: Int
    /// The limit for a request path (pushes carry a document).
    let limitForPath: @Sendable (String) -> Int

    func handle(_ request: Request, context: LockerRequestContext, next: (Request, LockerRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxUploadSize
        let limit = limitForPath(request.uri.path)
        if let lengthField = request.headers[.contentLength] {
            guard let length = Int(lengthField), length >= 0 else { throw Problem.badRequest("Invalid Content-Length.") }
            if length > limit { throw Problem.tooLarge(limit: limit) }
            return try await next(request, context)
        }
        // HTTP/1.1: without Content-Length or Transfer-Encoding there is no body to limit.
        guard request.headers[.transferEncoding] != nil else { return try await next(request, context) }
        var request = request
        let body = request.body
        request.body = RequestBody(asyncSequence: LimitedBody(base: body, limit: limit))
        return try await next(request, context)
    }
}
