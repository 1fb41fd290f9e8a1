import Foundation
import Hummingbird
import LockerStore
import Logging

/// Turns every error into problem+json. Client mistakes become 4xx with a safe detail;
/// anything unexpected is logged by type and answered with a bare 500 that leaks nothing.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let knownRoutes: KnownRoutes
    /// The router's body limit, named in a 413 answer.
    let maxUploadSize: Int
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
        } catch is PostgresUnavailable {
            context.logger.warning("database unavailable; answered 503")
            ServerMetrics.databaseUnavailable.increment()
            return try Problem.databaseUnavailable.response(from: request, context: context)
        } catch is S3Unavailable {
            context.logger.warning("object store unavailable; answered 503")
            return try Problem.blobStoreUnavailable.response(from: request, context: context)
        } catch let error as RootKeyUnavailable {
            context.logger.warning("HSM holding the root key unavailable; answered 503", metadata: ["error": "\(error.description)"])
            return try Problem.rootKeyUnavailable.response(from: request, context: context)
        } catch is DecodingError {
            return try Problem.badRequest("The request body is not valid JSON for this endpoint.").response(from: request, context: context)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return try Problem.tooLarge(limit: maxUploadSize).response(from: request, context: context)
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
