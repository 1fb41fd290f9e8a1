import Foundation
import Hummingbird

/// Refuses a request body of a type the route does not take with 415
/// `/problems/unsupported-media-type`, before the handler runs (so before any effect: a
/// redemption sent as `text/plain` spends nothing). Routes that take no body are not checked.
struct MediaTypeMiddleware: RouterMiddleware {
    typealias Context = LockerRequestContext

    /// The body types a route takes.
    enum Accepts: Sendable {
        case json, form, jsonOrForm

        func allows(_ mediaType: ParsedType) -> Bool {
            switch self {
            case .json: mediaType.isJSON
            case .form: mediaType.essence == "application/x-www-form-urlencoded"
            case .jsonOrForm: mediaType.isJSON || mediaType.essence == "application/x-www-form-urlencoded"
            }
        }

        var expected: String {
            switch self {
            case .json: "application/json"
            case .form: "application/x-www-form-urlencoded"
            case .jsonOrForm: "application/json or application/x-www-form-urlencoded"
            }
        }
    }

    /// What each body-taking route accepts, by method and route template (`context.endpointPath`).
    /// The push (`POST /v1/issuer/documents`, multipart) checks its own type, right after the
    /// issuer key and before reading the body, so an unauthenticated push stays a plain 401.
    static let routes: [String: Accepts] = [
        "POST /v1/auth/otp": .json,
        "POST /v1/auth/token": .json,
        "POST /v1/documents/{id}/shares": .json,
        "POST /v1/shares/redeem": .jsonOrForm,
        "POST /v1/kyc-vs/requests": .json,
        "POST /v1/kyc-vs/requests/{id}/confirm": .json,
        "POST /kyc-vs/embed/confirm": .json,
        "POST /portal/sign-in": .form,
        "POST /portal/verify": .form,
        "POST /portal/sign-out": .form,
        "POST /portal/shares": .form,
        "POST /portal/shares/{shareId}/revoke": .form,
        "POST /v1/pulled-documents": .json,
        "POST /portal/authorize": .form,
        "POST /portal/pulled": .form,
        "POST /portal/pulled/{id}/remove": .form,
        "POST /portal/connections/{id}/disconnect": .form,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let template = context.endpointPath, let accepts = Self.routes["\(request.method.rawValue) \(template)"] else {
            return try await next(request, context)
        }
        guard let field = request.headers[.contentType], let parsed = ParsedType(field), accepts.allows(parsed) else {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                          detail: "Send the body as \(accepts.expected).")
        }
        return try await next(request, context)
    }

    /// A `Content-Type` value: its lowercased `type/subtype` and parameters.
    struct ParsedType {
        let essence: String
        let parameters: [String: String]

        init?(_ field: String) {
            let parts = field.split(separator: ";", omittingEmptySubsequences: false)
            let essence = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard essence.split(separator: "/", omittingEmptySubsequences: false).count == 2 else { return nil }
            var parameters = [String: String]()
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                parameters[pair[0].trimmingCharacters(in: .whitespaces).lowercased()] = value
            }
            self.essence = essence
            self.parameters = parameters
        }

        /// `application/json`, in UTF-8 if a charset is named at all (RFC 8259 §8.1).
        var isJSON: Bool {
            guard essence == "application/json" else { return false }
            guard let charset = parameters["charset"]?.lowercased() else { return true }
            return charset == "utf-8" || charset == "utf8"
        }
    }
}
