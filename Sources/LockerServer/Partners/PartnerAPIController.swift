import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// DigiLocker's "Authorized Partner" API, so an app written for it works against Locker by
/// changing its base URL: OAuth 2.0 authorization code with PKCE (S256 only), rotating refresh
/// tokens, revocation, the user, the issued files and a file's bytes; errors as JSON
/// `{error, error_description}`. Plus RFC 8414 metadata.
struct PartnerAPIController {
    let services: LockerServices
    var partners: PartnerService { services.partners }

    /// Token and revocation forms are small; anything larger is not a client of ours.
    static let formLimit = 16 * 1024

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/public/oauth2/1/authorize", use: authorize)
        router.post("/public/oauth2/1/token", use: token)
        router.post("/public/oauth2/1/revoke", use: revoke)
        router.get("/public/oauth2/1/user", use: user)
        router.get("/public/oauth2/2/files/issued", use: issued)
        router.get("/public/oauth2/1/file/{uri}", use: file)
        router.get("/.well-known/oauth-authorization-server", use: metadata)
    }

    /// Query parameters as sent (`+` is a space, as form encoding writes it); the first of each counts.
    static func query(_ request: Request) -> [String: String] {
        var out = [String: String]()
        for (name, value) in FormBody.pairs(request.uri.query ?? "") where out[name] == nil { if let value { out[name] = value } }
        return out
    }

    /// Checks the request, then hands the browser to the consent page on Locker's own origin
    /// through a page of ours: the portal's `SameSite=Strict` cookie is not sent on this first
    /// request, which comes from the partner's site, but is on the navigation our page starts.
    @Sendable func authorize(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let checked = try AuthorizationRequest.check(Self.query(request), partner: partners.partner(id:))
            return PortalPage.render("continue", ["title": "Connecting \(checked.partner.name)", "partnerName": checked.partner.name, "next": checked.portalPath])
        } catch let refusal as AuthorizationRequest.Refusal {
            return ConsentController.respond(to: refusal)
        }
    }

    @Sendable func token(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let form = try await Self.form(request, context: context)
            let client = try partners.authenticate(try ClientCredentials.read(request, form: form))
            func field(_ name: String) throws -> String {
                guard let value = form[name], !value.isEmpty, value.utf8.count <= 2000 else { throw OAuthError.invalidRequest("\(name) is required.") }
                return value
            }
            let answer: TokenAnswer
            switch form["grant_type"] {
            case "authorization_code":
                answer = try await partners.exchange(code: try field("code"), redirectURI: try field("redirect_uri"), verifier: try field("code_verifier"), client: client)
            case "refresh_token":
                answer = try await partners.refresh(try field("refresh_token"), client: client)
            case nil:
                throw OAuthError.invalidRequest("grant_type is required.")
            default:
                throw OAuthError(status: .badRequest, code: "unsupported_grant_type", description: "grant_type must be authorization_code or refresh_token.")
            }
            var response = try JSONResponse.encode(answer)
            response.headers[HTTPField.Name("Pragma")!] = "no-cache"
            return response
        } catch let error as OAuthError {
            return error.response()
        }
    }

    @Sendable func revoke(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let form = try await Self.form(request, context: context)
            let client = try partners.authenticate(try ClientCredentials.read(request, form: form))
            guard let token = form["token"], !token.isEmpty else { throw OAuthError.invalidRequest("token is required.") }
            if token.utf8.count < 200 { try await partners.revoke(token, client: client) }
            return try JSONResponse.encode([String: String]())
        } catch let error as OAuthError {
            return error.response()
        }
    }

    @Sendable func user(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let access = try partners.access(token: try Self.bearer(request), scope: nil)
            return try JSONResponse.encode(["digilockerid": access.citizen.id])
        } catch let error as OAuthError {
            return error.response()
        }
    }

    @Sendable func issued(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let access = try partners.access(token: try Self.bearer(request), scope: .list)
            let (documents, issuers) = try services.documents.list(ownerID: access.citizen.id)
            let pulled = try services.pull.list(citizen: access.citizen).filter { $0.status == .issued }.map { ($0, services.pull.issuerName($0.issuerID)) }
            try await partners.record("partner.listed", access)
            return try JSONResponse.encode(IssuedFilesResponse(documents.filter { $0.revokedAt == nil }, issuers: issuers, pulled: pulled))
        } catch let error as OAuthError {
            return error.response()
        }
    }

    /// The document's exact bytes and headers, as the owner's own download sends them, audited
    /// durably before the first byte leaves; another citizen's URI is the same 404 as none.
    @Sendable func file(_ request: Request, context: LockerRequestContext) async throws -> Response {
        do {
            let access = try partners.access(token: try Self.bearer(request), scope: .download)
            let citizen = access.citizen
            guard let uri = context.parameters.get("uri"), DocumentURI(uri) != nil else { throw OAuthError.invalidURI }
            guard let document = try services.storage.ownedDocument(uri: uri, ownerID: citizen.id) else {
                // A document kept by its issuer: fetched for the partner as for the owner, never stored.
                guard let pulled = try services.pull.issued(citizen: citizen, uri: uri) else { throw OAuthError.invalidURI }
                let bytes = try await services.pull.fetch(pulled, citizen: citizen)
                try await partners.record("partner.downloaded", access, pulledURI: uri)
                return PullController.contentResponse(pulled, bytes)
            }
            guard document.revokedAt == nil else {
                throw OAuthError(status: .gone, code: "invalid_uri", description: "This certificate was revoked by its issuer or an administrator.")
            }
            if request.method == .head { return try await ContentResponse.head(services: services, document: document, owner: citizen) }
            let prepared = try await ContentResponse.prepare(services: services, document: document, owner: citizen, logger: context.logger)
            try await partners.record("partner.downloaded", access, document: document)
            let partners = self.partners
            return ContentResponse.make(prepared, document: document, services: services, logger: context.logger) { _ in
                try? await partners.record("partner.download-cut", access, document: document)
            }
        } catch let error as OAuthError {
            return error.response()
        }
    }

    /// RFC 8414 authorization server metadata.
    @Sendable func metadata(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let base = services.settings.publicURL
        let methods = ["client_secret_basic", "client_secret_post", "none"]
        let document: [String: Any] = [
            "issuer": base,
            "authorization_endpoint": base + "/public/oauth2/1/authorize",
            "token_endpoint": base + "/public/oauth2/1/token",
            "revocation_endpoint": base + "/public/oauth2/1/revoke",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_methods_supported": methods,
            "scopes_supported": PartnerScope.allCases.map(\.rawValue),
            "service_documentation": base + "/openapi.yaml",
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func bearer(_ request: Request) throws -> String {
        guard let token = Authenticate.bearerValue(request) else { throw OAuthError.invalidToken }
        return token
    }

    /// A token or revocation request's form: `application/x-www-form-urlencoded`, at most `formLimit` bytes.
    static func form(_ request: Request, context: LockerRequestContext) async throws -> [String: String] {
        switch await FormBody.fields(request, limit: formLimit, rejectRepeats: true) {
        case .success(let fields): return fields
        case .failure(.notAForm): throw OAuthError.invalidRequest("Send the request as application/x-www-form-urlencoded.")
        case .failure(.tooLarge): throw OAuthError.invalidRequest("The form is larger than \(formLimit) bytes.")
        case .failure(.badEncoding): throw OAuthError.invalidRequest("The form is not validly encoded.")
        case .failure(.repeated(let name)): throw OAuthError.invalidRequest("\(name) is given more than once.")
        }
    }
}
