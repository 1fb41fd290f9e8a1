import Foundation
import Hummingbird
import Logging

/// Turns every error into problem+json. Client mistakes become 4xx with a safe detail;
/// anything unexpected is logged by type and answered with a bare 500 that leaks nothing.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let knownRoutes: KnownRoutes
    /// Whether the request carries the admin credential (admin paths reveal their methods only then).
    var isAdmin: @Sendable (Request) -> Bool = { _ in false }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await respond(request, context: context, next: next)
        // A HEAD answer never carries a body, whatever answered it (an unknown path's 404, a 405).
        return request.method == .head ? Self.withoutBody(response) : response
    }

    /// The same status and headers (with the length the body would have had), no body.
    static func withoutBody(_ response: Response) -> Response {
        var headers = response.headers
        if headers[.contentLength] == nil, let length = response.body.contentLength { headers[.contentLength] = String(length) }
        return Response(status: response.status, headers: headers, body: ResponseBody())
    }

    /// Runs the rest of the chain, turning any error into its problem answer.
    func respond(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = knownRoutes.methods(for: request.uri.path, isAdmin: { isAdmin(request) })
                if !allowed.isEmpty {
                    var problem = Problem.methodNotAllowed
                    problem.headers[.allow] = allowed.sorted().joined(separator: ", ")
                    return try problem.response(from: request, context: context)
                }
            }
            return try Self.problem(for: error).response(from: request, context: context)
        } catch is DecodingError {
            return try Problem.badRequest("The request body is not valid JSON for this endpoint.").response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return try Problem.tooLarge(limit: context.maxUploadSize).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return try Problem.internalError.response(from: request, context: context)
        }
    }

    static func problem(for error: HTTPError) -> Problem {
        switch error.status {
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .contentTooLarge: Problem(.contentTooLarge, "payload-too-large", "Payload too large")
        case .badRequest: .badRequest("The request could not be understood.")
        case .unauthorized: Problem(.unauthorized, "unauthorized", "Unauthorized", detail: "A valid credential is required.")
        default:
            error.status.code >= 500
                ? .internalError
                : Problem(error.status, "http-\(error.status.code)", error.status.reasonPhrase)
        }
    }
}

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

/// A request body that throws `payload-too-large` once more than `limit` bytes have arrived.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: Int
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit { throw Problem.tooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}

/// One structured log line per request. The path logged is the matched route's template
/// (`/s/{token}`, `/v1/documents/{id}`), so no token or id reaches the log however the path was
/// spelled; an unmatched path is logged with every segment that could carry a secret redacted.
/// Query strings are never logged.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(Self.loggedPath(request.uri.path, route: context.endpointPath))",
            "status": "\(response.status.code)",
            "ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
        ])
        return response
    }

    /// The route template when a route matched; otherwise the path, its empty segments dropped,
    /// with the segment after a leading `s` and any segment holding a credential prefix (`lk_`)
    /// replaced by `[redacted]`.
    static func loggedPath(_ path: String, route: String?) -> String {
        if let route, route != "NotFound" { return route }
        return redact(path)
    }

    static func redact(_ path: String) -> String {
        var segments = path.split(separator: "/").map(String.init)
        for index in segments.indices where segments[index].lowercased().contains("lk_") || (index == 1 && segments[0] == "s") {
            segments[index] = "[redacted]"
        }
        return "/" + segments.joined(separator: "/")
    }
}
