import Hummingbird

/// Gives each request's context its router's body limit, so JSON decoding and the 413 answer
/// honour the limit this router was built with. (Hummingbird builds a context from the channel
/// alone; the limit used to reach it through a process-wide static that every `buildRouter`
/// overwrote, so two routers in one process — as in the tests — shared the last one's.)
struct UploadLimitMiddleware: RouterMiddleware {
    typealias Context = LockerRequestContext
    let maxUploadSize: Int

    func handle(_ request: Request, context: LockerRequestContext, next: (Request, LockerRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.maxUploadSize = maxUploadSize
        return try await next(request, context)
    }
}
