import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// Routes of access grants: parse, call `ShareService`, encode. The rules are the service's.
struct SharesController {
    let services: LockerServices
    var shares: ShareService { services.shares }

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/documents/{id}/shares", use: create)
        router.get("/v1/shares", use: list)
        router.delete("/v1/shares/{shareId}", use: revoke)
        router.post("/v1/shares/redeem", use: redeem)
        router.get("/s/{token}", use: linkPage)
    }

    struct RedeemBody: Decodable {
        var token: String
        var passcode: String?
        /// JSON bodies only: a status-scope answer also carries its status QR text.
        var qr: Bool?
    }

    /// `POST /v1/documents/{id}/shares`: the token is in this answer and nowhere else, ever.
    @Sendable func create(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        guard let id = context.parameters.get("id"), Validate.localID(id) else { throw Problem.notFound }
        let body = try await request.decode(as: ShareRequest.self, context: context)
        let (share, token) = try await shares.create(citizen: citizen, documentID: id, request: body)
        var answer = ShareResponse(share, now: services.clock())
        answer.token = token
        answer.link = "\(services.settings.publicURL)/s/\(token)"
        return try JSONResponse.encode(answer, status: .created)
    }

    /// `GET /v1/shares`: the owner's grants with uses spent and state.
    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let now = services.clock()
        return try JSONResponse.encode(ShareListResponse(shares: try shares.list(ownerID: citizen.id).map { ShareResponse($0, now: now) }))
    }

    /// `DELETE /v1/shares/{shareId}`: stops working at once. Another citizen's grant is 404.
    @Sendable func revoke(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        guard let id = context.parameters.get("shareId"), Validate.localID(id) else { throw Problem.notFound }
        try await shares.revoke(citizen: citizen, id: id)
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// `POST /v1/shares/redeem`: token (and passcode) in the body, JSON or a form post from the
    /// link page. Expired, revoked, used-up, locked and unknown tokens all get the same 404.
    @Sendable func redeem(_ request: Request, context: LockerRequestContext) async throws -> Response {
        var request = request
        let body: RedeemBody
        if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            // Lenient on purpose: the first token and passcode count, other fields are ignored.
            var fields = [String: String]()
            for (key, value) in FormBody.pairs(String(buffer: buffer)) where ["token", "passcode"].contains(key) && fields[key] == nil {
                fields[key] = value
            }
            guard let token = fields["token"] else { throw Problem.badRequest("The form must hold token (and passcode, if the grant has one).") }
            body = RedeemBody(token: token, passcode: fields["passcode"])
        } else {
            body = try await request.decode(as: RedeemBody.self, context: context)
        }
        // The link page's own form (a browser, Accept: text/html) gets pages; API clients problems.
        let browser = SharePage.wantsHTML(request)
        let outcome = try await shares.redeem(token: body.token, passcode: body.passcode, client: context.clientAddress,
                                              userAgent: request.headers[.userAgent] ?? "")
        switch outcome {
        case .notFound, .wrongPasscode(remaining: ...0):
            if browser { return SharePage.gone() }
            throw Problem.notFound
        case .wrongPasscode(let remaining):
            let detail = "The passcode is wrong; \(Plural.count(remaining, "try", "tries")) left before the link locks."
            if browser, let (share, docType, issuer) = try shares.liveLink(token: body.token) {
                return SharePage.page(token: body.token, share: share, docType: docType, issuerName: issuer,
                                      timeZone: services.settings.timeZone, error: detail, status: .forbidden)
            }
            throw Problem(.forbidden, "passcode-invalid", "Wrong passcode", detail: detail)
        case .status(let grant):
            let (statement, qr) = try await shares.statement(grant, qr: body.qr == true)
            return StatementResponse(statement: statement, qr: qr).response()
        case .document(let grant):
            guard let document = grant.document else { return try await pulled(grant) }
            let prepared = try await shares.deliverDocument(grant) {
                try await ContentResponse.prepare(services: services, document: document, owner: grant.owner, logger: context.logger)
            }
            let shares = self.shares
            return ContentResponse.make(prepared, document: document, services: services, logger: context.logger) { sent in
                await shares.recordCut(grant, bytesSent: sent)
            }
        }
    }

    /// `GET /s/{token}`: a page naming what is shared, with a button that redeems by POST.
    /// Opening it (as a chat app's link preview does) spends nothing.
    @Sendable func linkPage(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let (share, docType, issuer) = try shares.liveLink(token: token) else { return SharePage.gone() }
        return SharePage.page(token: token, share: share, docType: docType, issuerName: issuer, timeZone: services.settings.timeZone)
    }

    /// A grant on a document kept by its issuer: fetched afresh (nothing stored); the use is
    /// spent only once the issuer answered, and a failure is recorded with nothing spent.
    func pulled(_ grant: ShareGrant) async throws -> Response {
        guard let pulled = grant.pulled else { throw Problem.notFound }
        let bytes: [UInt8]
        do {
            bytes = try await services.pull.fetch(pulled, citizen: grant.owner)
        } catch {
            try? await shares.recordFailure(grant, action: "share.failed", refund: false, extra: ["reason": "issuer", "pulled": "true"])
            throw error
        }
        _ = try await shares.deliverDocument(grant) { bytes }
        return PullController.contentResponse(pulled, bytes)
    }
}
