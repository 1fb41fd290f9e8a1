import Foundation
import Hummingbird
import Logging

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
