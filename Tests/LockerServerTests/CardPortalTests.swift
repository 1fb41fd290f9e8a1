import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

@Suite("Portal QR page and the offline checker")
struct CardPortalTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    func cardsMade(_ h: Harness) throws -> [String] {
        try h.vault.database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT detail FROM auditLog WHERE action = 'document.card-made' ORDER BY seq")
        }
    }

    @Test("the owner's QR page and its SVG; a stranger gets a 404 page and no image; signed out, sign-in and no image")
    func ownerOnly() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer("+919800022201", docId: "C1"), content: Array("%PDF-1.7 c".utf8)))
            let id = try jsonObject(pushed)["id"] as! String
            let portal = PortalTests()
            let (mine, home) = try await portal.portalSignIn(client, h, mobile: "+919800022201")
            #expect(home.contains("href=\"/portal/documents/\(id)/qr\""), "the home page links the QR page")
            let page = try await client.page("/portal/documents/\(id)/qr", cookies: mine)
            let html = String(buffer: page.body)
            #expect(page.status == .ok && html.contains("class=\"qr-page\"") && html.contains("src=\"/portal/documents/\(id)/qr.svg\""))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true && !html.contains("<script>"))
            #expect(try cardsMade(h).isEmpty, "the page makes no card; the image does")

            let image = try await client.page("/portal/documents/\(id)/qr.svg", cookies: mine)
            #expect(image.status == .ok && image.headers[.contentType] == "image/svg+xml" && image.headers[.cacheControl] == "no-store")
            #expect(String(buffer: image.body).hasPrefix("<svg"))
            let made = try cardsMade(h)
            #expect(made.count == 1 && made[0].contains("\"form\":\"portal\""))

            let (stranger, _) = try await portal.portalSignIn(client, h, mobile: "+919800022202")
            let strangerPage = try await client.page("/portal/documents/\(id)/qr", cookies: stranger)
            #expect(strangerPage.status == .notFound && String(buffer: strangerPage.body).contains("Not found"))
            #expect(try await client.page("/portal/documents/\(id)/qr.svg", cookies: stranger).status == .notFound)
            let signedOut = try await client.page("/portal/documents/\(id)/qr", cookies: [:])
            #expect(signedOut.status == .seeOther && signedOut.headers[.location] == "/")
            #expect(try await client.page("/portal/documents/\(id)/qr.svg", cookies: [:]).status == .notFound)
            #expect(try cardsMade(h).count == 1, "nothing was made for anyone else")
        }
    }

    @Test("a certificate without a card (not VACER) has no QR page")
    func notACard() async throws {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            var metadata = Harness.vacer("+919800022203", docId: "M1")
            metadata["docType"] = "MARKS"
            let pushed = try await client.push(cowin, Harness.pushBody(cowin, metadata: metadata, content: Array("%PDF-1.7 m".utf8)))
            #expect(pushed.status == .created)
            let id = try jsonObject(pushed)["id"] as! String
            let (cookies, home) = try await PortalTests().portalSignIn(client, h, mobile: "+919800022203")
            #expect(!home.contains("/portal/documents/\(id)/qr"))
            #expect(try await client.page("/portal/documents/\(id)/qr", cookies: cookies).status == .notFound)
            #expect(try await client.page("/portal/documents/\(id)/qr.svg", cookies: cookies).status == .notFound)
        }
    }

    @Test("the checker page may fetch from its own origin and register its worker; the worker may fetch only from it")
    func checkerHeaders() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let page = try await client.page("/portal/check", cookies: [:])
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(page.status == .ok && csp.contains("connect-src 'self'") && csp.contains("worker-src 'self'") && csp.contains("default-src 'none'"))
            #expect(!csp.contains("unsafe"))
            let html = String(buffer: page.body)
            #expect(html.contains("<script src=\"/portal/check.js\" defer>") && !html.contains("/portal/portal.js") && !html.contains("<script>"))
            let script = try await client.page("/portal/check.js", cookies: [:])
            #expect(script.status == .ok && String(buffer: script.body).contains("deflate-raw"))
            let worker = try await client.page("/portal/check-sw.js", cookies: [:])
            #expect(worker.status == .ok && worker.headers[.contentSecurityPolicy] == "default-src 'none'; connect-src 'self'")
            #expect(worker.headers[.contentType]?.hasPrefix("text/javascript") == true && worker.headers[.cacheControl] == "no-cache")
        }
    }
}
