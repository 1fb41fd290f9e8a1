import HTTPTypes
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

@Suite("OTP sign-in and sessions")
struct AuthTests {
    @Test("the OTP answer is the same for a number with and without an account")
    func sameAnswerForUnknownNumbers() async throws {
        let h = try Harness()
        let cowin = TestIssuer(id: "in.gov.cowin")
        try h.register(cowin)
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1]))
            let known = try await client.json("/v1/auth/otp", ["mobile": "+919800000001"])
            let unknown = try await client.json("/v1/auth/otp", ["mobile": "+919800000099"])
            #expect(known.status == .accepted)
            #expect(unknown.status == .accepted)
            #expect(Set(try jsonObject(known).keys) == Set(try jsonObject(unknown).keys))
            #expect(h.sms.count == 2)
        }
    }

    @Test("an OTP works once: the replay fails")
    func replay() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let c = try await client.json("/v1/auth/otp", ["mobile": "+919800000001"])
            let id = try jsonObject(c)["challengeId"] as! String
            let otp = h.sms.lastOTP(for: "+919800000001")!
            #expect(try await client.json("/v1/auth/token", ["challengeId": id, "otp": otp]).status == .ok)
            let replay = try await client.json("/v1/auth/token", ["challengeId": id, "otp": otp])
            #expect(replay.status == .unauthorized)
            #expect(try problem(replay)["type"] as? String == "/problems/otp-invalid")
        }
    }

    @Test("three wrong codes lock the challenge: the 4th try fails even with the right code")
    func lockout() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let c = try await client.json("/v1/auth/otp", ["mobile": "+919800000001"])
            let id = try jsonObject(c)["challengeId"] as! String
            let otp = h.sms.lastOTP(for: "+919800000001")!
            let wrong = otp == "000000" ? "111111" : "000000"
            for _ in 0..<3 {
                let r = try await client.json("/v1/auth/token", ["challengeId": id, "otp": wrong])
                #expect(r.status == .unauthorized)
                #expect(try problem(r)["type"] as? String == "/problems/otp-invalid")
            }
            let fourth = try await client.json("/v1/auth/token", ["challengeId": id, "otp": otp])
            #expect(fourth.status == .unauthorized)
            #expect(try problem(fourth)["type"] as? String == "/problems/otp-locked")
        }
    }

    @Test("an OTP older than 5 minutes fails")
    func expiry() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let c = try await client.json("/v1/auth/otp", ["mobile": "+919800000001"])
            let id = try jsonObject(c)["challengeId"] as! String
            h.clock.advance(301)
            let r = try await client.json("/v1/auth/token", ["challengeId": id, "otp": h.sms.lastOTP(for: "+919800000001")!])
            #expect(r.status == .unauthorized)
        }
    }

    @Test("the 6th challenge for one mobile within an hour gets 429 with Retry-After; an hour later it is allowed")
    func perMobileLimit() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            for i in 0..<5 {
                #expect(try await client.json("/v1/auth/otp", ["mobile": "+919800000001"]).status == .accepted, "challenge \(i + 1)")
                h.clock.advance(60)
            }
            let sixth = try await client.json("/v1/auth/otp", ["mobile": "+919800000001"])
            #expect(sixth.status == .tooManyRequests)
            #expect(try problem(sixth)["type"] as? String == "/problems/rate-limited")
            let retry = Int(sixth.headers[.retryAfter] ?? "") ?? 0
            #expect(retry > 0 && retry <= 3600)
            #expect(h.sms.count == 5, "no SMS for the refused challenge")
            #expect(try await client.json("/v1/auth/otp", ["mobile": "+919800000002"]).status == .accepted, "other numbers unaffected")
            h.clock.advance(Double(retry))
            #expect(try await client.json("/v1/auth/otp", ["mobile": "+919800000001"]).status == .accepted)
        }
    }

    @Test("one client address is bounded across many numbers")
    func perClientLimit() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            for i in 0..<20 {
                #expect(try await client.json("/v1/auth/otp", ["mobile": "+9198000001\(String(format: "%02d", i))"]).status == .accepted)
            }
            let r = try await client.json("/v1/auth/otp", ["mobile": "+919800000199"])
            #expect(r.status == .tooManyRequests)
            #expect(r.headers[.retryAfter] != nil)
        }
    }

    @Test("malformed JSON and bad fields get 400 problem+json", arguments: ["{", "[]", "{\"mobile\": 5}", "{\"mobile\": \"12345\"}", ""])
    func badJSON(body: String) async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let r = try await client.execute(uri: "/v1/auth/otp", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType] == "application/problem+json")
        }
    }

    @Test("no, expired and logged-out tokens get 401 on every session route")
    func sessionRoutes() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let routes: [(String, HTTPRequest.Method)] = [("/v1/documents", .get), ("/v1/documents/\(String(repeating: "a", count: 32))", .get),
                                                          ("/v1/documents/\(String(repeating: "a", count: 32))/content", .get), ("/v1/activity", .get), ("/v1/auth/logout", .post)]
            for (uri, method) in routes {
                let r = try await client.execute(uri: uri, method: method)
                #expect(r.status == .unauthorized, "\(uri) without token")
                let bogus = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer lk_ses_nope"])
                #expect(bogus.status == .unauthorized, "\(uri) with bogus token")
            }
            let token = try await client.signIn("+919800000001", harness: h)
            #expect(try await client.get("/v1/documents", token: token).status == .ok)
            h.clock.advance(3601)
            for (uri, method) in routes {
                let r = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"])
                #expect(r.status == .unauthorized, "\(uri) with expired token")
            }
            let fresh = try await client.signIn("+919800000001", harness: h)
            #expect(try await client.execute(uri: "/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(fresh)"]).status == .noContent)
            for (uri, method) in routes {
                let r = try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(fresh)"])
                #expect(r.status == .unauthorized, "\(uri) after logout")
            }
        }
    }
}

@Suite("Owner-only access")
struct AccessTests {
    @Test("another citizen's document looks exactly like an unknown one, on metadata and content; activity shows only your own events")
    func strangerGets404() async throws {
        let h = try Harness()
        let cowin = TestIssuer(id: "in.gov.cowin")
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A1"), content: Array("alice".utf8)))
            let aliceDoc = try jsonObject(pushed)["id"] as! String
            let alice = try await client.signIn("+919800000001", harness: h)
            let bob = try await client.signIn("+919800000002", harness: h)
            let unknown = SecureRandom.identifier()
            for suffix in ["", "/content"] {
                let theirs = try await client.get("/v1/documents/\(aliceDoc)\(suffix)", token: bob)
                let missing = try await client.get("/v1/documents/\(unknown)\(suffix)", token: bob)
                let malformed = try await client.get("/v1/documents/..%2F..%2Fetc\(suffix)", token: bob)
                #expect(theirs.status == .notFound)
                #expect(missing.status == .notFound)
                #expect(malformed.status == .notFound)
                #expect(Array(theirs.body.readableBytesView) == Array(missing.body.readableBytesView))
                #expect(theirs.headers[.contentType] == missing.headers[.contentType])
                #expect(try await client.get("/v1/documents/\(aliceDoc)\(suffix)", token: alice).status == .ok)
            }
            let bobList = try jsonObject(try await client.get("/v1/documents", token: bob))["documents"] as! [Any]
            #expect(bobList.isEmpty)
            let bobEvents = try jsonObject(try await client.get("/v1/activity", token: bob))["events"] as! [[String: Any]]
            #expect(!bobEvents.contains { ($0["documentId"] as? String) == aliceDoc })
            #expect(bobEvents.allSatisfy { ($0["action"] as? String)?.hasPrefix("auth.") == true })
            let aliceEvents = try jsonObject(try await client.get("/v1/activity", token: alice))["events"] as! [[String: Any]]
            let actions = aliceEvents.compactMap { $0["action"] as? String }
            #expect(actions.contains("document.pushed"))
            #expect(actions.contains("document.downloaded"))
            #expect(actions.contains("auth.signed-in"))
        }
    }

    @Test("the download streams the exact bytes with the protective headers, and is audited")
    func downloadHeaders() async throws {
        let h = try Harness()
        let cowin = TestIssuer(id: "in.gov.cowin")
        try h.register(cowin)
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 17) }
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A1"), content: content))
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000001", harness: h)
            let r = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(r.status == .ok)
            #expect(Array(r.body.readableBytesView) == content)
            #expect(r.headers[.contentType] == "application/pdf")
            #expect(r.headers[.contentLength] == "200000")
            #expect(r.headers[.cacheControl] == "no-store")
            #expect(r.headers[.contentDisposition] == "attachment; filename=\"VACER-A1.pdf\"")
            #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(r.headers[.eTag]?.count == 66)
            // The owner can prove provenance from what Locker returns.
            let meta = try jsonObject(try await client.get("/v1/documents/\(id)", token: token))
            let signed = Base64URL.decode(meta["signedMetadata"] as! String)!
            let signature = Base64URL.decode(meta["signature"] as! String)!
            #expect(r.headers[HTTPField.Name("Locker-Signature")!] == meta["signature"] as? String)
            #expect(PushSignature.verify(signature: signature, publicKey: Array(cowin.key.publicKey.rawRepresentation),
                                         metadataSHA256: SHA256Digest.of(signed), contentSHA256: SHA256Digest.of(content)))
            #expect((meta["claims"] as? [String: Any])?["name"] as? String == "Asha Verma")
        }
        let chainBroken = try await h.vault.database.pool.read { db in try AuditLog.firstBrokenEntry(db) }
        #expect(chainBroken == nil)
    }

    @Test("the audit log refuses edits, and a chain edited behind the database's back is caught")
    func auditChain() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            _ = try await client.signIn("+919800000001", harness: h)
            _ = try await client.signIn("+919800000002", harness: h)
        }
        await #expect(throws: (any Error).self) {
            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE auditLog SET action = 'x' WHERE seq = 1") }
        }
        try await h.vault.database.pool.write { db in
            try db.execute(sql: "DROP TRIGGER auditLog_no_update")
            try db.execute(sql: "UPDATE auditLog SET detail = '{}' WHERE seq = 1")
        }
        let broken = try await h.vault.database.pool.read { db in try AuditLog.firstBrokenEntry(db) }
        #expect(broken == 1)
    }
}
