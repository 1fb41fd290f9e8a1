import Foundation
import Hummingbird
import LockerCore

/// SMART Health Cards: the owner's card as a `.smart-health-card` file and as a QR image, and
/// the public revocation list verifiers sync. Parses, calls `HealthCardService`, encodes.
struct HealthCardController {
    let services: LockerServices
    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/documents/{id}/shc", use: file)
        router.get("/v1/documents/{id}/qr", use: qr)
        router.get("/.well-known/crl/{kid}.json", use: revocationList)
    }

    /// The SMART Health Card file format: `{"verifiableCredential": [JWS]}`.
    @Sendable func file(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (session, citizen) = try Authenticate.session(request, services: services)
        let jws = try await services.healthCards.card(id: context.parameters.get("id"), by: citizen, session: session, form: "file")
        let body = try JSONSerialization.data(withJSONObject: ["verifiableCredential": [jws]], options: [.withoutEscapingSlashes])
        return Response(status: .ok, headers: [.contentType: "application/smart-health-card", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The card as a QR image, `?format=png` (the default) or `svg`.
    @Sendable func qr(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "png"
        guard format == "png" || format == "svg" else { throw Problem.badRequest("format must be png or svg") }
        let (session, citizen) = try Authenticate.session(request, services: services)
        let code = try QRCode.healthCard(jws: try await services.healthCards.card(id: context.parameters.get("id"), by: citizen, session: session, form: "qr"))
        let type = format == "svg" ? "image/svg+xml" : "image/png"
        let bytes = try format == "svg" ? Array(code.svg().utf8) : code.png()
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `{kid, method: "rid", ctr, rids}`; 404 for a key id that is not ours.
    @Sendable func revocationList(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let kid = context.parameters.get("kid"), let list = try services.healthCards.revocationList(kid: kid) else { throw Problem.notFound }
        return try JSONResponse.encode(list).withCacheControl("public, max-age=300")
    }
}
