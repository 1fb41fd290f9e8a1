import Foundation
import Hummingbird
import HTTPTypes
import LockerCore

/// The portal's side of offline-verifiable QR codes: the owner's SMART Health Card shown
/// full-screen on a phone (black on white whatever the phone's theme, as large as the screen
/// allows, the screen kept awake), its SVG behind the same session cookie, and the checker page a
/// verifier opens once online and then uses with no network (`/portal/check`).
struct CardPortalController {
    let services: LockerServices
    let portal: PortalController

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/portal/documents/{id}/qr", use: page)
        router.get("/portal/documents/{id}/qr.svg", use: image)
        router.get("/portal/check", use: checker)
        router.get("/portal/check.js") { _, _ in PortalPage.asset(PortalAssets.checkJS, type: "text/javascript; charset=utf-8") }
        router.get("/portal/check-sw.js") { _, _ in Self.serviceWorker() }
    }

    /// The full-screen page. It makes no card itself: the image does, once, when the phone loads it.
    @Sendable func page(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let (session, citizen) = portal.currentSession(request) else { return PortalPage.redirect("/") }
        let csrf = portal.csrfToken(session)
        do {
            let document = try services.documents.owned(id: context.parameters.get("id"), by: citizen)
            guard DocTypeNames.carriesHealthCard(document) else { throw Problem.notFound }
            guard document.revokedAt == nil else {
                return PortalPage.message("Revoked", "The issuer revoked this certificate, so it has no QR code.", isError: true, status: .gone, csrf: csrf)
            }
            return PortalPage.render("card", ["title": "Your vaccination QR code", "signedIn": true, "csrf": csrf, "bodyClass": "qr-page",
                                              "id": document.id, "docName": DocTypeNames.name(document.docType),
                                              "issuerName": try services.documents.issuerName(of: document)])
        } catch let problem as Problem where problem.status == .notFound {
            return PortalPage.message("Not found", "There is no vaccination certificate with a QR code at this address in your Locker.", isError: true,
                                      status: .notFound, csrf: csrf)
        }
    }

    /// The card's QR as SVG (`document.card-made`, form `portal`, is recorded first).
    @Sendable func image(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let (session, citizen) = portal.currentSession(request) else { throw Problem.notFound }
        let jws = try await services.healthCards.card(id: context.parameters.get("id"), by: citizen, session: session, form: "portal")
        let code = try QRCode.healthCard(jws: jws)
        return Response(status: .ok, headers: PortalPage.headers(type: "image/svg+xml"), body: .init(byteBuffer: ByteBuffer(string: code.svg())))
    }

    /// The checker page; public. Its script may fetch the JWKS and revocation lists from this
    /// origin and register the service worker that keeps the page for offline use.
    @Sendable func checker(_ request: Request, context: LockerRequestContext) async throws -> Response {
        var headers = PortalPage.headers(type: "text/html; charset=utf-8")
        headers[.contentSecurityPolicy] = PortalPage.contentSecurityPolicy + "; connect-src 'self'; worker-src 'self'; manifest-src 'none'"
        return PortalPage.render("check", ["title": "Check a QR code", "noScript": true, "pageScript": "/portal/check.js"], headers: headers)
    }

    /// The service worker: it may fetch from this origin (to refresh its cached copies) and
    /// nothing else.
    static func serviceWorker() -> Response {
        var response = PortalPage.asset(PortalAssets.checkServiceWorker, type: "text/javascript; charset=utf-8")
        response.headers[.contentSecurityPolicy] = "default-src 'none'; connect-src 'self'"
        response.headers[.cacheControl] = "no-cache"
        return response
    }
}
