import Hummingbird

/// One spelling per route: a path with an empty segment (`//v1/…`, `/v1//admin/keys`, a trailing
/// `/`) is 404 for every method, exactly as an unknown path is. The router alone would match
/// such paths to routes (it skips empty segments), so `//s/<token>` would be served and
/// `POST //v1/admin/keys` would reveal the admin route through a 405.
struct PathShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isCanonical(request.uri.path) else { throw Problem.notFound }
        return try await next(request, context)
    }

    /// `/`, or `/` followed by non-empty segments separated by single slashes.
    static func isCanonical(_ path: String) -> Bool {
        if path == "/" { return true }
        guard path.hasPrefix("/"), !path.hasSuffix("/") else { return false }
        return !path.contains("//")
    }
}
