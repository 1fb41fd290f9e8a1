import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore
import Mustache

/// The citizen portal at `/`: server-rendered pages over the same services as the JSON API,
/// with the session in an `HttpOnly`, `SameSite=Strict` cookie and a CSRF token in every form
/// that changes something. Every rule of the API (validation, limits, audit) applies, because
/// the portal calls the very same functions.
struct PortalController {
    let services: LockerServices
    let documents: DocumentsController

    init(services: LockerServices) {
        self.services = services
        documents = DocumentsController(services: services)
    }

    static let sessionCookie = "locker_session"
    static let preSessionCookie = "locker_csrf"

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/", use: home)
        router.get("/portal/portal.css") { _, _ in PortalPage.asset(PortalAssets.css, type: "text/css; charset=utf-8") }
        router.get("/portal/portal.js") { _, _ in PortalPage.asset(PortalAssets.js, type: "text/javascript; charset=utf-8") }
        router.post("/portal/sign-in", use: signIn)
        router.post("/portal/verify", use: verify)
        router.post("/portal/sign-out", use: signOut)
        router.post("/portal/shares", use: createShare)
        router.post("/portal/shares/{shareId}/revoke", use: revokeShare)
        router.get("/portal/documents/{id}/content", use: download)
        ConsentController(services: services, portal: self).addRoutes(to: router)
        PullPortalController(services: services, portal: self).addRoutes(to: router)
        CardPortalController(services: services, portal: self).addRoutes(to: router)
    }

    // MARK: Signed out

    @Sendable func home(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let (session, citizen) = currentSession(request) else { return signInPage(request) }
        return try await dashboard(session: session, citizen: citizen)
    }

    /// `next`: where to go once signed in (a partner app's consent page), else home.
    func signInPage(_ request: Request, error: String? = nil, mobile: String = "", next: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let (csrf, cookie) = preSessionToken(request)
        var response = PortalPage.render("signin", ["title": "Sign in", "csrf": csrf, "error": error ?? false, "mobile": mobile, "next": next ?? false], status: status)
        if let cookie { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    @Sendable func signIn(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf", "mobile"])
        guard checkPreSession(request, form) else { return PortalPage.forbidden() }
        let next = Self.afterSignIn(form["next"])
        let mobile = form["mobile"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard Validate.mobile(mobile) else {
            // Not echoed back: what was typed is not a number, and a form is no place to replay it.
            return signInPage(request, error: "Enter your number with the country code, like +919876543210.", next: next, status: .badRequest)
        }
        do {
            let challenge = try await services.signIn.startSignIn(mobile: mobile, clientAddress: context.clientAddress, logger: context.logger)
            return PortalPage.render("otp", ["title": "Enter your code", "csrf": form["csrf"] ?? "", "challengeId": challenge.id, "error": false, "next": next ?? false])
        } catch let problem as Problem {
            return signInPage(request, error: problem.detail ?? problem.title, mobile: mobile, next: next, status: problem.status)
        }
    }

    @Sendable func verify(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf", "challengeId", "otp"])
        guard checkPreSession(request, form) else { return PortalPage.forbidden() }
        let challengeID = form["challengeId"] ?? ""
        let next = Self.afterSignIn(form["next"])
        do {
            let (token, expiresAt) = try await services.signIn.finishSignIn(challengeID: challengeID, code: form["otp"] ?? "")
            var response = PortalPage.redirect(next ?? "/")
            response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, token, maxAge: Int(expiresAt.timeIntervalSince(services.clock())))))
            response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.preSessionCookie, "", maxAge: 0)))
            return response
        } catch let problem as Problem {
            let again = Validate.localID(challengeID) && problem.type != "/problems/otp-locked"
            // The challenge id goes back into the form only when it is a well-formed id.
            return PortalPage.render(again ? "otp" : "signin", ["title": "Sign in", "csrf": form["csrf"] ?? "", "challengeId": again ? challengeID : "",
                                                               "error": problem.detail ?? problem.title, "mobile": "", "next": next ?? false], status: problem.status)
        }
    }

    /// A page to return to after sign-in: only the consent page of a partner app, on this
    /// origin (no open redirect); nil for anything else.
    static func afterSignIn(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/portal/authorize?"), next.utf8.count <= 4000,
              next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\\") }) else { return nil }
        return next
    }

    // MARK: Signed in

    func dashboard(session: SessionRecord, citizen: CitizenRecord) async throws -> Response {
        let ownerID = citizen.id
        let now = services.clock()
        let (docs, issuers) = try services.documents.list(ownerID: ownerID)
        let grants = try services.shares.list(ownerID: ownerID)
        let events = try services.audit.events(citizenID: ownerID, limit: 50, before: nil)
        let csrf = csrfToken(session)
        let time = HumanTime(timeZone: services.settings.timeZone)
        let labels = Dictionary(grants.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        let connections = try services.partners.connections(of: citizen)
        let docTypes = Dictionary(docs.map { ($0.id, $0.docType) }, uniquingKeysWith: { a, _ in a })
        var context: [String: Any] = [
            "title": "Your certificates", "signedIn": true, "csrf": csrf,
            "documents": docs.map { d -> [String: Any] in
                ["id": d.id, "docName": DocTypeNames.name(d.docType), "issuerName": issuers[d.issuerID] ?? d.issuerID,
                 "issuedOn": HumanTime.day(d.issuedOn), "version": d.version,
                 "sizeText": ByteCountFormatter.string(fromByteCount: Int64(d.size), countStyle: .file),
                 "revoked": d.revokedAt != nil, "hasStatus": DocTypeNames.carriesVaccinationStatus(d), "csrf": csrf,
                 "hasCard": DocTypeNames.carriesHealthCard(d)]
            },
            "shares": grants.map { s -> [String: Any] in
                let state = s.state(at: now)
                return ["id": s.id, "label": s.label, "scopeText": s.scope == .document ? "the certificate" : "status only",
                        "state": state.rawValue, "active": state == .active, "usesSpent": s.usesSpent, "maxUses": s.maxUses,
                        "expiresAt": time.string(s.expiresAt), "expiresAtISO": Timestamp.string(s.expiresAt), "csrf": csrf]
            },
            "connections": connections.map { c, p -> [String: Any] in
                ["id": c.id, "partnerName": p.name, "csrf": csrf,
                 "scopeText": c.scopeList.compactMap { PartnerScope(rawValue: $0)?.plainWords }.joined(separator: " and "),
                 "since": time.string(c.createdAt), "sinceISO": Timestamp.string(c.createdAt),
                 "until": time.string(c.expiresAt), "untilISO": Timestamp.string(c.expiresAt),
                 "lastUsed": c.lastUsedAt.map { time.string($0) } ?? "never"]
            },
            "events": events.map { e -> [String: Any] in
                ["at": time.string(e.at), "atISO": Timestamp.string(e.at), "text": ActivityText.describe(e, issuers: issuers, docTypes: docTypes, labels: labels)]
            },
        ]
        context.merge(try PullPortalController(services: services, portal: self).context(citizen: citizen, csrf: csrf)) { a, _ in a }
        return PortalPage.render("home", context)
    }

    @Sendable func createShare(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf", "documentId", "label", "hours", "maxUses"])
        if let scope = form["scope"], !["document", "status"].contains(scope) { throw Problem.badRequest("scope must be document or status") }
        guard let (session, citizen) = currentSession(request) else { return PortalPage.redirect("/") }
        guard checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        guard let documentID = form["documentId"], Validate.localID(documentID),
              let hours = Int(form["hours"] ?? ""), (1...720).contains(hours), let maxUses = Int(form["maxUses"] ?? "") else {
            return PortalPage.message("Check the form", "Give a recipient, a validity of 1-720 hours and 1-1000 uses.", isError: true, status: .badRequest, csrf: csrfToken(session))
        }
        let passcode = (form["passcode"] ?? "").isEmpty ? nil : form["passcode"]
        let body = ShareRequest(label: form["label"] ?? "", expiresInSeconds: hours * 3600, maxUses: maxUses, scope: form["scope"], passcode: passcode)
        do {
            let (share, token) = try await services.shares.create(citizen: citizen, documentID: documentID, request: body)
            return PortalPage.render("shared", ["title": "Share link", "signedIn": true, "csrf": csrfToken(session), "label": share.label,
                                                "usesText": share.maxUses == 1 ? "once" : "\(share.maxUses) times",
                                                "expiresAt": HumanTime(timeZone: services.settings.timeZone).string(share.expiresAt),
                                                "link": "\(services.settings.publicURL)/s/\(token)"])
        } catch let problem as Problem {
            return PortalPage.message("Could not share", problem.detail ?? problem.title, isError: true, status: problem.status, csrf: csrfToken(session))
        }
    }

    @Sendable func revokeShare(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf"])
        guard let (session, citizen) = currentSession(request) else { return PortalPage.redirect("/") }
        guard checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        guard let id = context.parameters.get("shareId"), Validate.localID(id) else { throw Problem.notFound }
        try await services.shares.revoke(citizen: citizen, id: id)
        return PortalPage.redirect("/")
    }

    @Sendable func signOut(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf"])
        var response = PortalPage.redirect("/")
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, "", maxAge: 0)))
        guard let (session, citizen) = currentSession(request) else { return response }
        guard checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        try await services.signIn.endSession(session, citizen: citizen)
        return response
    }

    /// The owner's download, authenticated by the cookie; the same streamed, audited answer as
    /// `GET /v1/documents/{id}/content`.
    @Sendable func download(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let token = Self.cookies(request)[Self.sessionCookie] else { throw Problem.notFound }
        let (session, citizen) = try Authenticate.session(token: token, services: services)
        return try await documents.content(session: session, citizen: citizen, request: request, context: context)
    }

    // MARK: Cookies and CSRF

    func currentSession(_ request: Request) -> (SessionRecord, CitizenRecord)? {
        guard let token = Self.cookies(request)[Self.sessionCookie] else { return nil }
        return try? Authenticate.session(token: token, services: services)
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out = [String: String]()
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingCharacters(in: .whitespaces)
                if out[name] == nil { out[name] = parts[1].trimmingCharacters(in: .whitespaces) }
            }
        }
        return out
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        let secure = services.settings.secureCookies ? "; Secure" : ""
        return "\(name)=\(value); Path=/; Max-Age=\(max(0, maxAge)); HttpOnly; SameSite=Strict\(secure)"
    }

    /// The CSRF token of a session: an HMAC of its id, so it needs no storage and dies with it.
    func csrfToken(_ session: SessionRecord) -> String {
        Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: Array("locker-csrf-v1|\(session.id)".utf8), using: services.challengeKey)))
    }

    func checkCSRF(_ form: [String: String], session: SessionRecord) -> Bool {
        ConstantTime.equal(Array((form["csrf"] ?? "").utf8), Array(csrfToken(session).utf8))
    }

    /// Before sign-in there is no session: a random token in a `SameSite=Strict` cookie must
    /// come back in the form (double submit).
    func preSessionToken(_ request: Request) -> (token: String, setCookie: String?) {
        if let existing = Self.cookies(request)[Self.preSessionCookie], existing.hasPrefix("pre_"), existing.utf8.count < 80 { return (existing, nil) }
        let fresh = "pre_" + SecureRandom.token(byteCount: 24)
        return (fresh, cookie(Self.preSessionCookie, fresh, maxAge: 3600))
    }

    func checkPreSession(_ request: Request, _ form: [String: String]) -> Bool {
        guard let cookie = Self.cookies(request)[Self.preSessionCookie], cookie.hasPrefix("pre_"), let field = form["csrf"] else { return false }
        return ConstantTime.equal(Array(cookie.utf8), Array(field.utf8))
    }
}
