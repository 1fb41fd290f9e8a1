import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

/// Request-level rules every route follows: body media types (415), HEAD wherever GET, one
/// spelling per path, and what the request log shows.
@Suite("HTTP rules")
struct HTTPRulesTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    func harness() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        return h
    }

    /// A pushed document and its owner's session.
    func document(_ client: some TestClientProtocol, _ h: Harness) async throws -> (session: String, id: String) {
        let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A"), content: Array("document A bytes".utf8)))
        let session = try await client.signIn("+919800000001", harness: h)
        return (session, try jsonObject(pushed)["id"] as! String)
    }

    func audited(_ h: Harness, _ action: String) throws -> Int {
        try h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog WHERE action = ?", arguments: [action]) ?? 0 }
    }

    static let wrongTypes: [String?] = [nil, "text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/jsonx"]

    @Test("JSON routes answer 415 problem+json for any other body type, or none, and act on nothing")
    func jsonRoutesRefuseOtherTypes() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (session, id) = try await document(client, h)
            let before = h.sms.count
            let routes: [(String, String, String?)] = [
                ("/v1/auth/otp", #"{"mobile":"+919800000002"}"#, nil),
                ("/v1/auth/token", #"{"challengeId":"00000000000000000000000000000000","otp":"123456"}"#, nil),
                ("/v1/documents/\(id)/shares", #"{"label":"Clerk"}"#, session),
                ("/v1/kyc-vs/requests", #"{"mobile":"+919800000001","name":"Asha Verma","purpose":"x"}"#, nil),
                ("/v1/kyc-vs/requests/00000000000000000000000000000000/confirm", #"{"otp":"123456"}"#, nil),
                ("/kyc-vs/embed/confirm", #"{"request":"00000000000000000000000000000000","otp":"123456"}"#, nil),
            ]
            for (uri, body, token) in routes {
                for type in Self.wrongTypes {
                    var headers: HTTPFields = [:]
                    if let type { headers[.contentType] = type }
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    let r = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                    #expect(r.status == .unsupportedMediaType, "\(uri) with \(type ?? "no type")")
                    #expect(try problem(r)["type"] as? String == "/problems/unsupported-media-type")
                }
            }
            #expect(h.sms.count == before, "no OTP was sent for a refused body")
            let shares = try jsonObject(try await client.get("/v1/shares", token: session))["shares"] as! [Any]
            #expect(shares.isEmpty, "no grant was made from a refused body")
            // The accepted spellings still work.
            let utf8 = try await client.execute(uri: "/v1/documents/\(id)/shares", method: .post,
                                                headers: [.contentType: "Application/JSON; charset=UTF-8", .authorization: "Bearer \(session)"],
                                                body: ByteBuffer(string: #"{"label":"Clerk"}"#))
            #expect(utf8.status == .created)
        }
    }

    @Test("a redemption sent as text/plain (or anything but JSON or a form) is 415 and spends no use")
    func redemptionSpendsNothingOnWrongType() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (session, id) = try await document(client, h)
            let grant = try jsonObject(try await client.json("/v1/documents/\(id)/shares", ["label": "Clerk", "maxUses": 1], token: session))
            let token = grant["token"] as! String
            for type in Self.wrongTypes {
                var headers: HTTPFields = [:]
                if let type { headers[.contentType] = type }
                let r = try await client.execute(uri: "/v1/shares/redeem", method: .post, headers: headers, body: ByteBuffer(string: #"{"token":"\#(token)"}"#))
                #expect(r.status == .unsupportedMediaType)
            }
            #expect(try audited(h, "share.redeemed") == 0)
            let list = try jsonObject(try await client.get("/v1/shares", token: session))["shares"] as! [[String: Any]]
            #expect(list.first?["usesSpent"] as? Int == 0)
            let ok = try await client.execute(uri: "/v1/shares/redeem", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"token":"\#(token)"}"#))
            #expect(ok.status == .ok)
            #expect(String(buffer: ok.body) == "document A bytes")
        }
    }

    @Test("portal forms answer 415 for a JSON body")
    func portalFormsRefuseJSON() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            for uri in ["/portal/sign-in", "/portal/verify", "/portal/sign-out", "/portal/shares", "/portal/shares/00000000000000000000000000000000/revoke"] {
                let r = try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"csrf":"x","mobile":"+919800000001"}"#))
                #expect(r.status == .unsupportedMediaType, "\(uri)")
            }
        }
    }

    @Test("a download caches the owner's data key for seconds; signing out forgets it at once")
    func signOutForgetsDataKey() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (session, id) = try await document(client, h)
            h.vault.dataKeys.removeAll()
            let r = try await client.get("/v1/documents/\(id)/content", token: session)
            #expect(r.status == .ok && String(buffer: r.body) == "document A bytes")
            #expect(h.vault.dataKeys.count == 1)
            let out = try await client.execute(uri: "/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(session)"])
            #expect(out.status == .noContent)
            #expect(h.vault.dataKeys.count == 0, "sign-out must drop the citizen's cached data key")
            #expect(try await client.get("/v1/documents/\(id)/content", token: session).status == .unauthorized)
        }
    }

    @Test("HEAD answers every GET route with GET's status and headers and no body")
    func headEverywhere() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (session, id) = try await document(client, h)
            let token = try jsonObject(try await client.json("/v1/documents/\(id)/shares", ["label": "Clerk"], token: session))["token"] as! String
            let auth: HTTPFields = [.authorization: "Bearer \(session)"]
            for (uri, headers) in [("/healthz", HTTPFields()), ("/", [:]), ("/openapi.yaml", [:]), ("/.well-known/jwks.json", [:]), ("/s/\(token)", [:]),
                                   ("/s/lk_shr_unknown", [:]), ("/v1/documents", auth), ("/v1/documents/\(id)", auth), ("/v1/documents", [:])] {
                let get = try await client.execute(uri: uri, method: .get, headers: headers)
                let head = try await client.execute(uri: uri, method: .head, headers: headers)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
                #expect(head.headers[.contentLength] == get.headers[.contentLength] || get.headers[.contentLength] == nil, "\(uri)")
            }
            let list = try jsonObject(try await client.get("/v1/shares", token: session))["shares"] as! [[String: Any]]
            #expect(list.first?["usesSpent"] as? Int == 0, "HEAD of the link page spends nothing")
        }
    }

    @Test("HEAD of a download gives its headers and length, reads nothing and is not audited")
    func headOfDownload() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let (session, id) = try await document(client, h)
            let head = try await client.execute(uri: "/v1/documents/\(id)/content", method: .head, headers: [.authorization: "Bearer \(session)"])
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == "16")
            #expect(head.headers[.contentDisposition]?.hasPrefix("attachment") == true)
            #expect(head.headers[.cacheControl] == "no-store")
            #expect(try audited(h, "document.downloaded") == 0)
            let stranger = try await client.execute(uri: "/v1/documents/\(id)/content", method: .head)
            #expect(stranger.status == .unauthorized)
            let get = try await client.get("/v1/documents/\(id)/content", token: session)
            #expect(get.status == .ok && get.headers[.contentLength] == "16")
            #expect(try audited(h, "document.downloaded") == 1)
        }
    }

    @Test("a path with an empty segment is 404 for every method, with the unknown path's body")
    func emptySegments() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let unknown = try await client.execute(uri: "/v1/admin/nope", method: .post)
            #expect(unknown.status == .notFound)
            for uri in ["//v1/admin/keys", "/v1//admin/keys", "/v1/admin//keys", "/v1/admin/keys/", "//healthz", "/healthz/", "//s/lk_shr_x"] {
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .head, .options] {
                    let r = try await client.execute(uri: uri, method: method)
                    #expect(r.status == .notFound, "\(method) \(uri)")
                    #expect(r.headers[.allow] == nil, "\(method) \(uri)")
                    if method == .head {
                        #expect(r.body.readableBytes == 0, "\(method) \(uri)")
                        #expect(r.headers[.contentLength] == unknown.headers[.contentLength], "\(method) \(uri)")
                    } else {
                        #expect(String(buffer: r.body) == String(buffer: unknown.body), "\(method) \(uri)")
                    }
                }
            }
            for method in [HTTPRequest.Method.post, .put, .delete, .options, .patch] {
                let r = try await client.execute(uri: "/v1/admin/keys", method: method)
                #expect(r.status == .notFound && r.headers[.allow] == nil, "\(method) /v1/admin/keys")
            }
            // HEAD never has a body: not on an unknown path, a 405, or the admin route.
            for uri in ["/v1/admin/nope", "/v1/admin/keys", "/v1/auth/otp", "/nothing"] {
                let r = try await client.execute(uri: uri, method: .head)
                #expect(r.body.readableBytes == 0, "HEAD \(uri)")
                #expect(r.status != .ok, "HEAD \(uri)")
            }
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test("the log shows the route template, or a redacted path when no route matched")
    func loggedPaths() {
        typealias Log = RequestLogMiddleware<LockerRequestContext>
        #expect(Log.loggedPath("//s/lk_shr_secret", route: "/s/{token}") == "/s/{token}")
        #expect(Log.loggedPath("/v1/documents/abc", route: "/v1/documents/{id}") == "/v1/documents/{id}")
        #expect(Log.loggedPath("//s/lk_shr_secret/x", route: "NotFound") == "/s/[redacted]/x")
        #expect(Log.loggedPath("/x/lk_shr_secret", route: nil) == "/x/[redacted]")
        #expect(Log.loggedPath("/v1/nothing", route: "NotFound") == "/v1/nothing")
    }
}
