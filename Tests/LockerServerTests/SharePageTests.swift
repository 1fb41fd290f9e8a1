import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

extension TestClientProtocol {
    /// The `/s/` page's own form post, as a browser sends it (`Accept: text/html`), or as an
    /// API client posts the same form.
    func redeemForm(_ token: String, passcode: String? = nil, browser: Bool) async throws -> TestResponse {
        var body = "token=\(token)"
        if let passcode { body += "&passcode=\(passcode)" }
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        headers[.accept] = browser ? "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" : "application/json"
        return try await execute(uri: "/v1/shares/redeem", method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

@Suite("Share link pages")
struct SharePageTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    func setUp(_ client: some TestClientProtocol, _ h: Harness) async throws -> (token: String, document: String) {
        let a = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A"), content: Array("document A bytes".utf8)))
        let token = try await client.signIn("+919800000001", harness: h)
        return (token, try jsonObject(a)["id"] as! String)
    }

    func harness() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        return h
    }

    func isPage(_ response: TestResponse) -> Bool {
        let html = String(buffer: response.body)
        return response.headers[.contentType] == "text/html; charset=utf-8" && html.contains("class=\"brand\"") && html.contains("/portal/portal.css")
            && !html.contains("<script") && response.headers[.contentSecurityPolicy]?.contains("script-src") == false
    }

    @Test("a wrong passcode from the page's form shows a page with the message and tries left; an API client keeps problem+json")
    func wrongPasscode() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a) = try await setUp(client, h)
            let g = try jsonObject(try await client.share(a, token: token, ["label": "Clerk", "passcode": "4321", "maxUses": 2]))
            let shareToken = g["token"] as! String

            let page = try await client.redeemForm(shareToken, passcode: "0000", browser: true)
            #expect(page.status == .forbidden)
            #expect(isPage(page))
            let html = String(buffer: page.body)
            #expect(html.contains("The passcode is wrong; 4 tries left before the link locks."))
            #expect(html.contains("name=\"passcode\"") && html.contains("value=\"\(shareToken)\""), "the form is there to try again")
            #expect(html.contains("Vaccination certificate") && html.contains("CoWIN"))
            #expect(!html.contains("\"type\""), "no problem+json for a browser")

            let api = try await client.redeemForm(shareToken, passcode: "0000", browser: false)
            #expect(api.status == .forbidden)
            #expect(try problem(api)["type"] as? String == "/problems/passcode-invalid")
            #expect(try problem(api)["detail"] as? String == "The passcode is wrong; 3 tries left before the link locks.")
            let json = try await client.redeem(shareToken, passcode: "0000")
            #expect(try problem(json)["detail"] as? String == "The passcode is wrong; 2 tries left before the link locks.")
            let last = try await client.redeemForm(shareToken, passcode: "0000", browser: true)
            #expect(String(buffer: last.body).contains("1 try left"), "singular")
            // The fifth wrong passcode locks it: the page for a dead link.
            let locked = try await client.redeemForm(shareToken, passcode: "0000", browser: true)
            #expect(locked.status == .notFound && isPage(locked))
        }
    }

    @Test("expired, withdrawn and used-up links: a browser gets the same not-available page, an API client problem+json")
    func deadLinks() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a) = try await setUp(client, h)
            let used = try jsonObject(try await client.share(a, token: token, ["label": "Used"]))["token"] as! String
            #expect(try await client.redeemForm(used, browser: true).status == .ok, "the page's form redeems")
            let withdrawn = try jsonObject(try await client.share(a, token: token, ["label": "Withdrawn"]))
            #expect(try await client.execute(uri: "/v1/shares/\(withdrawn["id"] as! String)", method: .delete, headers: [.authorization: "Bearer \(token)"]).status == .noContent)
            let expiring = try jsonObject(try await client.share(a, token: token, ["label": "Expiring", "expiresInSeconds": 60]))["token"] as! String
            h.clock.advance(61)
            let unknown = Credential.make(prefix: "shr")
            var bodies = Set<String>()
            for dead in [used, withdrawn["token"] as! String, expiring, unknown, "not-a-token"] {
                let page = try await client.redeemForm(dead, browser: true)
                #expect(page.status == .notFound)
                #expect(isPage(page))
                #expect(String(buffer: page.body).contains("unknown, expired, used up or withdrawn"))
                bodies.insert(String(buffer: page.body))
                let api = try await client.redeemForm(dead, browser: false)
                #expect(api.status == .notFound)
                #expect(try problem(api)["type"] as? String == "/problems/not-found")
                let link = try await client.execute(uri: "/s/\(dead)", method: .get)
                #expect(link.status == .notFound && isPage(link))
                bodies.insert(String(buffer: link.body))
            }
            #expect(bodies.count == 1, "one answer for every dead link: nothing tells them apart")
        }
    }

    @Test("the /s/ page carries Locker's name and layout, people's words and no script")
    func layout() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a) = try await setUp(client, h)
            let shareToken = try jsonObject(try await client.share(a, token: token, ["label": "Clerk", "maxUses": 3]))["token"] as! String
            let page = try await client.execute(uri: "/s/\(shareToken)", method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(isPage(page))
            let html = String(buffer: page.body)
            #expect(html.contains(">Locker</a>") && html.contains("Vaccination certificate") && !html.contains(">VACER<"))
            // The test clock's 1_800_000_000 + 1 day is 16 Jan 2027, 8:00 UTC: 1:30 pm in India.
            #expect(html.contains("16 Jan 2027, 1:30 pm IST"))
            #expect(!html.contains(">2027-01-16T"), "no RFC 3339 text on the page")
            let csp = try #require(page.headers[.contentSecurityPolicy])
            #expect(csp.contains("default-src 'none'") && csp.contains("style-src 'self'") && csp.contains("frame-ancestors 'none'"))
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        }
    }
}
