import Crypto
import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

extension TestClientProtocol {
    func share(_ documentID: String, token: String, _ body: [String: Any]) async throws -> TestResponse {
        try await json("/v1/documents/\(documentID)/shares", body, token: token)
    }

    func redeem(_ shareToken: String, passcode: String? = nil, userAgent: String = "TestClerk/1.0") async throws -> TestResponse {
        var body: [String: Any] = ["token": shareToken]
        if let passcode { body["passcode"] = passcode }
        return try await execute(uri: "/v1/shares/redeem", method: .post, headers: [.contentType: "application/json", .userAgent: userAgent],
                                 body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }
}

@Suite("Share grants")
struct ShareTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    /// A citizen with two pushed documents, signed in.
    func setUp(_ client: some TestClientProtocol, _ h: Harness) async throws -> (token: String, a: String, b: String) {
        let a = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A"), content: Array("document A bytes".utf8)))
        let b = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "B"), content: Array("document B bytes".utf8)))
        let token = try await client.signIn("+919800000001", harness: h)
        return (token, try jsonObject(a)["id"] as! String, try jsonObject(b)["id"] as! String)
    }

    func harness() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        return h
    }

    @Test("a document grant redeems to exactly that document, no-store, and uses are exact")
    func redeemDocument() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            let created = try await client.share(a, token: token, ["label": "IRCTC booking", "maxUses": 2])
            #expect(created.status == .created)
            let grant = try jsonObject(created)
            let shareToken = grant["token"] as! String
            #expect((grant["link"] as? String)?.hasSuffix("/s/\(shareToken)") == true)
            for _ in 0..<2 {
                let r = try await client.redeem(shareToken)
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == "document A bytes", "a token for A fetches A, never B")
                #expect(r.headers[.cacheControl] == "no-store")
            }
            let third = try await client.redeem(shareToken)
            #expect(third.status == .notFound)
            let list = try jsonObject(try await client.get("/v1/shares", token: token))["shares"] as! [[String: Any]]
            #expect(list.first?["usesSpent"] as? Int == 2)
            #expect(list.first?["state"] as? String == "used-up")
            #expect(list.first?["token"] == nil, "the token is never shown again")
        }
    }

    @Test("expired, revoked, used-up, locked and unknown tokens all get the same 404")
    func sameAnswerForDeadGrants() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            func grant(_ extra: [String: Any] = [:]) async throws -> (String, String) {
                let r = try jsonObject(try await client.share(a, token: token, ["label": "x"].merging(extra) { $1 }))
                return (r["token"] as! String, r["id"] as! String)
            }
            let unknown = try await client.redeem(Credential.make(prefix: "shr"))
            #expect(unknown.status == .notFound)
            let (revokedToken, revokedID) = try await grant()
            #expect(try await client.execute(uri: "/v1/shares/\(revokedID)", method: .delete, headers: [.authorization: "Bearer \(token)"]).status == .noContent)
            let revoked = try await client.redeem(revokedToken)
            let (usedToken, _) = try await grant()
            _ = try await client.redeem(usedToken)
            let usedUp = try await client.redeem(usedToken)
            let (expiringToken, _) = try await grant(["expiresInSeconds": 60])
            h.clock.advance(61)
            let expired = try await client.redeem(expiringToken)
            for r in [revoked, usedUp, expired] {
                #expect(r.status == .notFound)
                #expect(Array(r.body.readableBytesView) == Array(unknown.body.readableBytesView))
            }
        }
    }

    @Test("five wrong passcodes lock the grant; the right one before that works; refusals reach the owner's activity")
    func passcodeLockout() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            let g = try jsonObject(try await client.share(a, token: token, ["label": "Hospital", "passcode": "4321", "maxUses": 5]))
            let shareToken = g["token"] as! String
            #expect(try await client.redeem(shareToken).status == .forbidden, "missing passcode")
            #expect(try await client.redeem(shareToken, passcode: "4321").status == .ok)
            for _ in 0..<3 { #expect(try await client.redeem(shareToken, passcode: "0000").status == .forbidden) }
            let fifth = try await client.redeem(shareToken, passcode: "0000")
            #expect(fifth.status == .notFound, "the 5th wrong passcode locks it")
            #expect(try await client.redeem(shareToken, passcode: "4321").status == .notFound, "locked even with the right passcode")
            let events = try jsonObject(try await client.get("/v1/activity", token: token))["events"] as! [[String: Any]]
            #expect(events.filter { $0["action"] as? String == "share.refused" }.count == 5)
            let used = try #require(events.first { $0["action"] as? String == "share.redeemed" })
            let detail = used["detail"] as! [String: Any]
            #expect(detail["label"] as? String == "Hospital")
            #expect(detail["userAgent"] as? String == "TestClerk/1.0")
            #expect(detail["client"] != nil)
        }
    }

    @Test("a status-scope grant gives a signed statement, never the content")
    func statusScope() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            let g = try jsonObject(try await client.share(a, token: token, ["label": "Employer", "scope": "status", "maxUses": 3]))
            let r = try await client.redeem(g["token"] as! String)
            #expect(r.status == .ok)
            let text = String(buffer: r.body)
            #expect(!text.contains("document A bytes"))
            let jws = try jsonObject(r)["statement"] as! String
            let jwks = try jsonObject(try await client.execute(uri: "/.well-known/jwks.json", method: .get))["keys"] as! [[String: String]]
            let key = try Curve25519.Signing.PublicKey(rawRepresentation: Base64URL.decode(jwks[0]["x"]!)!)
            let payload = try #require(CompactJWS.verify(jws, publicKey: key))
            #expect(payload["status"] as? Int == 2)
            #expect(payload["valid"] as? Bool == true)
            #expect(payload["docType"] as? String == "VACER")
            #expect(!String(decoding: Base64URL.decode(String(jws.split(separator: ".")[1]))!, as: UTF8.self).contains("Asha"))
        }
    }

    @Test("opening the link page spends nothing; a dead link's page is a 404 with the same text")
    func linkPage() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            let g = try jsonObject(try await client.share(a, token: token, ["label": "Clerk"]))
            let shareToken = g["token"] as! String
            for _ in 0..<3 {
                let page = try await client.execute(uri: "/s/\(shareToken)", method: .get)
                #expect(page.status == .ok)
                #expect(String(buffer: page.body).contains("CoWIN"))
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
            let list = try jsonObject(try await client.get("/v1/shares", token: token))["shares"] as! [[String: Any]]
            #expect(list.first?["usesSpent"] as? Int == 0)
            // The page's form post redeems.
            let form = try await client.execute(uri: "/v1/shares/redeem", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "token=\(shareToken)"))
            #expect(form.status == .ok)
            #expect(String(buffer: form.body) == "document A bytes")
            let dead = try await client.execute(uri: "/s/\(shareToken)", method: .get)
            let unknown = try await client.execute(uri: "/s/\(Credential.make(prefix: "shr"))", method: .get)
            #expect(dead.status == .notFound)
            #expect(String(buffer: dead.body) == String(buffer: unknown.body))
        }
    }

    @Test("revoking the document stops its grants; strangers can neither share, list nor revoke another's grants")
    func strangersAndRevokedDocuments() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (token, a, _) = try await setUp(client, h)
            let g = try jsonObject(try await client.share(a, token: token, ["label": "x", "maxUses": 3]))
            let bob = try await client.signIn("+919800000002", harness: h)
            #expect(try await client.share(a, token: bob, ["label": "steal"]).status == .notFound)
            #expect(try await client.execute(uri: "/v1/shares/\(g["id"] as! String)", method: .delete, headers: [.authorization: "Bearer \(bob)"]).status == .notFound)
            #expect((try jsonObject(try await client.get("/v1/shares", token: bob))["shares"] as! [Any]).isEmpty)
            #expect(try await client.redeem(g["token"] as! String).status == .ok)
            _ = try await client.execute(uri: "/v1/issuer/documents/in.gov.cowin-VACER-A", method: .delete, headers: [.authorization: "Bearer \(cowin.apiKey)"])
            #expect(try await client.redeem(g["token"] as! String).status == .notFound)
            for bad: [String: Any] in [["label": ""], ["label": "x", "maxUses": 0], ["label": "x", "expiresInSeconds": 31 * 86400], ["label": "x", "scope": "all"]] {
                #expect(try await client.share(a, token: token, bad).status == .badRequest, "\(bad)")
            }
        }
    }
}
