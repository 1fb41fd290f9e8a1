import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// The consent step of a partner app's authorization, in the portal: the citizen signs in if
/// needed (and comes back here, not to the home page), sees the partner's registered name and
/// what it asks for in plain words, and allows or denies. Same CSRF and cookie rules as the rest
/// of the portal; the page's CSP lets its form's redirect reach that partner's registered
/// redirect URI and nothing else (Chromium applies `form-action` to a form's redirects).
struct ConsentController {
    let services: LockerServices
    let portal: PortalController

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/portal/authorize", use: show)
        router.post("/portal/authorize", use: decide)
        router.post("/portal/connections/{id}/disconnect", use: disconnect)
    }

    @Sendable func show(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let checked: AuthorizationRequest
        do {
            checked = try AuthorizationRequest.check(PartnerAPIController.query(request), partner: services.partners.partner(id:))
        } catch let refusal as AuthorizationRequest.Refusal {
            return Self.respond(to: refusal)
        }
        guard let (session, _) = portal.currentSession(request) else { return portal.signInPage(request, next: checked.portalPath) }
        let csrf = portal.csrfToken(session)
        var headers = PortalPage.headers(type: "text/html; charset=utf-8")
        headers[.contentSecurityPolicy] = PortalPage.contentSecurityPolicy.replacingOccurrences(
            of: "form-action 'self'", with: "form-action 'self' \(checked.formActionSource)")
        return PortalPage.render("consent", [
            "title": "Allow \(checked.partner.name)?", "signedIn": true, "csrf": csrf, "partnerName": checked.partner.name,
            "days": Int(PartnerConnectionRecord.lifetime / 86400), "scopes": checked.scopes.map(\.plainWords),
            "fields": checked.parameters.map { ["name": $0.0, "value": $0.1] },
        ], headers: headers)
    }

    @Sendable func decide(_ request: Request, context: LockerRequestContext) async throws -> Response {
        // A missing CSRF token is a forged form like a wrong one: 403, not 400.
        let form = try await PortalForm.read(request, context: context, required: ["decision"])
        guard let (session, citizen) = portal.currentSession(request) else { return PortalPage.redirect("/") }
        guard portal.checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        let checked: AuthorizationRequest
        do {
            // The form repeats the authorization request; `response_type` can only have been `code`.
            checked = try AuthorizationRequest.check(form.merging(["response_type": "code"]) { given, _ in given }, partner: services.partners.partner(id:))
        } catch let refusal as AuthorizationRequest.Refusal {
            return Self.respond(to: refusal)
        }
        let state = checked.state.map { [("state", $0)] } ?? []
        switch form["decision"] {
        case "allow":
            let code = try await services.partners.approve(checked, citizen: citizen)
            return PortalPage.redirect(AuthorizationRequest.redirect(checked.redirectURI, [("code", code)] + state))
        case "deny":
            return PortalPage.redirect(AuthorizationRequest.redirect(checked.redirectURI, [("error", "access_denied"), ("error_description", "The citizen denied the request.")] + state))
        default:
            throw Problem.badRequest("decision must be allow or deny")
        }
    }

    @Sendable func disconnect(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf"])
        guard let (session, citizen) = portal.currentSession(request) else { return PortalPage.redirect("/") }
        guard portal.checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        try await services.partners.disconnect(citizen: citizen, id: context.parameters.get("id"))
        return PortalPage.redirect("/")
    }

    /// A refusal: a page when the redirect URI is not trusted, else back to the partner.
    static func respond(to refusal: AuthorizationRequest.Refusal) -> Response {
        switch refusal {
        case .page(let text): PortalPage.message("This link is not valid", text + " Nothing was shared. Go back to the app and try again, or contact its makers.", isError: true, status: .badRequest)
        case .redirect(let location): PortalPage.redirect(location)
        }
    }
}
