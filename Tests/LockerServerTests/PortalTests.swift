import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

extension TestClientProtocol {
    func form(_ uri: String, _ fields: [(String, String)], cookies: [String: String]) async throws -> TestResponse {
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func page(_ uri: String, cookies: [String: String]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: cookies.isEmpty ? [:] : [.cookie: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")])
    }
}

/// Cookie name → value from a response's Set-Cookie headers, and the raw headers.
func setCookies(_ response: TestResponse) -> (values: [String: String], raw: [String]) {
    let raw = response.headers[values: .setCookie]
    var values = [String: String]()
    for header in raw {
        let first = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
        values[String(first[0])] = first.count > 1 ? String(first[1]) : ""
    }
    return (values, raw)
}

func hiddenField(_ name: String, in html: String) -> String? {
    guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
}

@Suite("Citizen portal")
struct PortalTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    /// Signs in through the portal's forms; returns the cookies and the signed-in page.
    func portalSignIn(_ client: some TestClientProtocol, _ h: Harness, mobile: String) async throws -> ([String: String], String) {
        let start = try await client.page("/", cookies: [:])
        let pre = setCookies(start).values
        let csrf = try #require(hiddenField("csrf", in: String(buffer: start.body)))
        let otpPage = try await client.form("/portal/sign-in", [("csrf", csrf), ("mobile", mobile)], cookies: pre)
        #expect(otpPage.status == .ok)
        let challenge = try #require(hiddenField("challengeId", in: String(buffer: otpPage.body)))
        let signedIn = try await client.form("/portal/verify", [("csrf", csrf), ("challengeId", challenge), ("otp", h.sms.lastOTP(for: mobile)!)], cookies: pre)
        #expect(signedIn.status == .seeOther)
        let cookies = setCookies(signedIn)
        let session = try #require(cookies.values[PortalController.sessionCookie])
        let raw = try #require(cookies.raw.first { $0.hasPrefix(PortalController.sessionCookie + "=") })
        #expect(raw.contains("HttpOnly") && raw.contains("SameSite=Strict") && raw.contains("Path=/"))
        #expect(!raw.contains("Secure"), "plain http on loopback: Secure would stop the browser sending it")
        let home = try await client.page("/", cookies: [PortalController.sessionCookie: session])
        return ([PortalController.sessionCookie: session], String(buffer: home.body))
    }

    @Test("every portal page carries a strict CSP, nosniff, no-referrer and no framing; nothing inline")
    func securityHeaders() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            #expect(try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer("+919800011122", docId: "P1"), content: Array("%PDF-1.7 p".utf8))).status == .created)
            let (cookies, home) = try await portalSignIn(client, h, mobile: "+919800011122")
            #expect(home.contains("Vaccination certificate") && home.contains("CoWIN"))
            for (uri, jar) in [("/", [String: String]()), ("/", cookies)] {
                let response = try await client.page(uri, cookies: jar)
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.cacheControl] == "no-store")
                let html = String(buffer: response.body)
                #expect(!html.contains("<script>") && !html.contains("style=\"") && !html.contains("<style>"), "no inline script or style")
                #expect(html.contains("name=\"viewport\""))
            }
            for asset in ["/portal/portal.css", "/portal/portal.js"] {
                let response = try await client.page(asset, cookies: [:])
                #expect(response.status == .ok && response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }

    @Test("a form post without the CSRF token, or with another session's, is refused and changes nothing")
    func csrfRefused() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer("+919800011133", docId: "P2"), content: Array("%PDF-1.7 q".utf8)))
            let documentID = try jsonObject(pushed)["id"] as! String
            let (cookies, home) = try await portalSignIn(client, h, mobile: "+919800011133")
            let csrf = try #require(hiddenField("csrf", in: home))
            let share = [("documentId", documentID), ("label", "Hospital"), ("hours", "24"), ("maxUses", "1"), ("scope", "document")]
            let missing = try await client.form("/portal/shares", share, cookies: cookies)
            #expect(missing.status == .badRequest)
            // One character changed (not "A" + rest: one token in 64 already starts with "A").
            let altered = (csrf.first == "A" ? "B" : "A") + csrf.dropFirst()
            let wrong = try await client.form("/portal/shares", [("csrf", altered)] + share, cookies: cookies)
            #expect(wrong.status == .forbidden)
            let (otherCookies, otherHome) = try await portalSignIn(client, h, mobile: "+919800011144")
            let foreign = try await client.form("/portal/shares", [("csrf", try #require(hiddenField("csrf", in: otherHome)))] + share, cookies: cookies)
            #expect(foreign.status == .forbidden, "another session's token does not work")
            let noCookie = try await client.form("/portal/shares", [("csrf", csrf)] + share, cookies: [:])
            #expect(noCookie.status == .seeOther)
            let count = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM shares") }
            #expect(count == 0)
            // The stranger's own session cannot download the first citizen's certificate.
            let stolen = try await client.page("/portal/documents/\(documentID)/content", cookies: otherCookies)
            #expect(stolen.status == .notFound)
            // With the right token it works, and the link is shown once.
            let created = try await client.form("/portal/shares", [("csrf", csrf)] + share, cookies: cookies)
            #expect(created.status == .ok)
            #expect(String(buffer: created.body).contains("/s/lk_shr_"))
            let mine = try await client.page("/portal/documents/\(documentID)/content", cookies: cookies)
            #expect(mine.status == .ok && String(buffer: mine.body) == "%PDF-1.7 q")
            // Sign-in forms need the pre-session cookie's token too.
            let forged = try await client.form("/portal/sign-in", [("csrf", "pre_forged"), ("mobile", "+919800011155")], cookies: [:])
            #expect(forged.status == .forbidden)
            #expect(h.sms.lastOTP(for: "+919800011155") == nil)
        }
    }

    @Test("signing out ends the cookie's session: the old cookie gets the sign-in page and no download")
    func signOutEndsSession() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer("+919800011166", docId: "P3"), content: Array("%PDF-1.7 r".utf8)))
            let documentID = try jsonObject(pushed)["id"] as! String
            let (cookies, home) = try await portalSignIn(client, h, mobile: "+919800011166")
            let out = try await client.form("/portal/sign-out", [("csrf", try #require(hiddenField("csrf", in: home)))], cookies: cookies)
            #expect(out.status == .seeOther)
            #expect(setCookies(out).raw.contains { $0.hasPrefix(PortalController.sessionCookie + "=;") && $0.contains("Max-Age=0") })
            let after = try await client.page("/", cookies: cookies)
            #expect(String(buffer: after.body).contains("Send code"))
            #expect(try await client.page("/portal/documents/\(documentID)/content", cookies: cookies).status == .unauthorized)
        }
    }
}
