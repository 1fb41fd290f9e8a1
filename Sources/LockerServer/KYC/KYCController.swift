import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// KYC-VS routes: parse, call `KYCService`, encode. A verifier asks for a citizen's
/// vaccination status; the citizen's OTP is consent; the verifier gets a signed 0/1/2.
struct KYCController {
    let services: LockerServices
    var kyc: KYCService { services.kyc }

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/kyc-vs/requests", use: ask)
        router.post("/v1/kyc-vs/requests/{id}/confirm", use: confirmByVerifier)
        router.get("/kyc-vs/embed", use: embedPage)
        router.get("/kyc-vs/embed.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache",
                                            HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                     body: .init(byteBuffer: ByteBuffer(string: EmbedPage.script)))
        }
        router.post("/kyc-vs/embed/confirm", use: confirmByCitizen)
    }

    struct AskBody: Decodable {
        let mobile: String
        let name: String
        let purpose: String
        let nonce: String?

        enum CodingKeys: String, CodingKey { case mobile, name, purpose, nonce }

        /// `nonce` is optional but, when present, a string: `"nonce": null` is refused (400), as
        /// the contract says.
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mobile = try c.decode(String.self, forKey: .mobile)
            name = try c.decode(String.self, forKey: .name)
            purpose = try c.decode(String.self, forKey: .purpose)
            nonce = c.contains(.nonce) ? try c.decode(String.self, forKey: .nonce) : nil
        }
    }
    struct ConfirmBody: Decodable {
        let otp: String
        /// True: answer `{"jws", "qr"}` (JSON, with the status QR text) instead of the bare JWS.
        let qr: Bool?
    }
    /// `202` to `POST /v1/kyc-vs/requests`.
    struct AskResponse: ResponseEncodable { let requestId: String; let expiresAt: String }
    /// `200` to the consent page's confirm.
    struct EmbedAnswer: ResponseEncodable { let jws: String }
    /// `200` to a verifier's confirm that asked for the status QR too.
    struct QRAnswer: ResponseEncodable { let jws: String; let qr: String }
    struct EmbedConfirmBody: Decodable { let request: String; let otp: String }

    /// `POST /v1/kyc-vs/requests`: the same 202 whether or not the number is known.
    @Sendable func ask(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let verifier = try Authenticate.verifier(request, services: services)
        let body = try await request.decode(as: AskBody.self, context: context)
        let record = try await kyc.ask(KYCService.Ask(mobile: body.mobile, name: body.name, purpose: body.purpose, nonce: body.nonce), verifier: verifier)
        return try JSONResponse.encode(AskResponse(requestId: record.id, expiresAt: Timestamp.string(record.expiresAt)), status: .accepted)
    }

    /// `POST /v1/kyc-vs/requests/{id}/confirm` (verifier key): another verifier's request is 404.
    @Sendable func confirmByVerifier(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let verifier = try Authenticate.verifier(request, services: services)
        guard let id = context.parameters.get("id"), Validate.localID(id) else { throw Problem.notFound }
        let body = try await request.decode(as: ConfirmBody.self, context: context)
        let (jws, qr) = try await kyc.confirm(requestID: id, code: body.otp, verifierID: verifier.id, qr: body.qr == true)
        if let qr { return try JSONResponse.encode(QRAnswer(jws: jws, qr: qr)) }
        return Response(status: .ok, headers: [.contentType: "application/jose", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: jws)))
    }

    /// `POST /kyc-vs/embed/confirm`: the consent page's own confirm. The request id and the OTP
    /// the citizen types are the capability; no verifier key is in the citizen's browser.
    @Sendable func confirmByCitizen(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: EmbedConfirmBody.self, context: context)
        guard Validate.localID(body.request) else { throw Problem.notFound }
        let (jws, _) = try await kyc.confirm(requestID: body.request, code: body.otp, verifierID: nil)
        return try JSONResponse.encode(EmbedAnswer(jws: jws))
    }

    /// `GET /kyc-vs/embed?request=…&origin=…`: the consent page a verifier puts in an iframe.
    /// `origin` names the verifier's page that frames it and must be one of its registered
    /// origins (it may be left out when exactly one is registered). That one origin alone may
    /// frame the page (`frame-ancestors`) and receive the answer (`postMessage`'s target), so
    /// the answer reaches the page actually framing it, and only a registered one.
    @Sendable func embedPage(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let id = request.uri.queryParameters["request"].map(String.init) ?? ""
        guard let (record, verifier) = try kyc.pendingRequest(id: id) else {
            return EmbedPage.response(html: EmbedPage.notFound, frameAncestors: "'none'", status: .notFound)
        }
        let origins = verifier.originList
        let asked = request.uri.queryParameters["origin"].map(String.init)
        let target: String?
        switch (asked, origins.count) {
        case (let asked?, _): target = origins.contains(asked) ? asked : nil
        case (nil, 0): target = ""  // nowhere to embed: the page stands alone and posts no message
        case (nil, 1): target = origins[0]
        case (nil, _): target = nil
        }
        guard let target else {
            return EmbedPage.response(html: EmbedPage.originRefused, frameAncestors: "'none'", status: .badRequest)
        }
        let html = EmbedPage.page(requestID: record.id, verifierName: verifier.name, purpose: record.purpose, targetOrigin: target)
        return EmbedPage.response(html: html, frameAncestors: target.isEmpty ? "'none'" : target, status: .ok)
    }
}
