import Foundation
import Hummingbird
import Logging

/// Refuses bodies over the limit: at once when `Content-Length` says so (before reading a
/// byte), and mid-stream for chunked bodies that grow past it.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The limit for a request path.
    let limitForPath: @Sendable (String) -> Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
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
