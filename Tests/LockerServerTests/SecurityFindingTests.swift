import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

@Suite("Findings of the attack on a live Locker")
struct SecurityFindingTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    func raw(_ client: some TestClientProtocol, _ uri: String, _ text: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: text))
    }

    @Test("a JSON body with a key twice is refused with 400 and acts on nothing")
    func duplicateKeysInJSONBodies() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let otp = try await raw(client, "/v1/auth/otp", #"{"mobile":"+919800000001","mobile":"+919800000002"}"#)
            #expect(otp.status == .badRequest)
            #expect(try problem(otp)["detail"] as? String == #"The JSON body repeats the key "mobile" in one object; each key may appear once."#)
            #expect(h.sms.count == 0, "no code was sent to either number")
            let redeem = try await raw(client, "/v1/shares/redeem", #"{"token":"lk_shr_a","t\u006fken":"lk_shr_b"}"#)
            #expect(redeem.status == .badRequest)
        }
    }

    @Test("a push whose signed metadata repeats a key is refused and stores nothing")
    func duplicateKeysInPushMetadata() async throws {
        let h = try Harness()
        try h.register(cowin)
        let meta = #"{"mobile":"+919800000001","docType":"VACER","docId":"D1","issuedOn":"2026-11-01","mobile":"+919800000002","#
            + #""claims":{"name":"Asha Verma","dosesReceived":2,"dosesRequired":2}}"#
        let message = PushSignature.message(metadataSHA256: SHA256Digest.of(Array(meta.utf8)), contentSHA256: SHA256Digest.of([1, 2, 3]))
        let signature = try cowin.key.signature(for: message)
        let body = Harness.multipart([("metadata", "application/json", Array(meta.utf8)), ("content", "application/pdf", [1, 2, 3]),
                                      ("signature", nil, Array(Base64URL.encode(signature).utf8))])
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, body)
            #expect(pushed.status == .badRequest)
            #expect((try problem(pushed)["detail"] as? String)?.contains(#"repeats the key "mobile""#) == true)
        }
        #expect(try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents") } == 0)
        #expect(try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM citizens") } == 0)
    }

    @Test("a wrong OTP does the same work for a number with and without an account (one audit entry each)")
    func sameWorkForWrongCodes() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1]))
            for mobile in ["+919800000001", "+919800000099"] {
                let c = try await client.json("/v1/auth/otp", ["mobile": mobile])
                let id = try jsonObject(c)["challengeId"] as! String
                let wrong = h.sms.lastOTP(for: mobile) == "000000" ? "111111" : "000000"
                let before = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0 }
                #expect(try await client.json("/v1/auth/token", ["challengeId": id, "otp": wrong]).status == .unauthorized)
                let after = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0 }
                #expect(after == before + 1, "one entry for \(mobile)")
            }
        }
    }

    @Test("sessions ended by a rekey from another process stop working on the next request, cache or not")
    func rekeyEndsCachedSessions() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1]))
            let token = try await client.signIn("+919800000001", harness: h)
            #expect(try await client.get("/v1/documents", token: token).status == .ok)
            #expect(try await client.get("/v1/documents", token: token).status == .ok, "now served from the session cache")
            // The CLI's rekey, through a second handle on the same storage (as `locker` opens it).
            let admin = try Vault.open(layout: StorageLayout(root: h.path))
            let citizenID = try #require(try admin.citizens.find(mobileHash: admin.mobileHash("+919800000001"))?.id)
            _ = try admin.rekeyCitizen(id: citizenID, revokeShares: false, actor: "admin")
            #expect(try await client.get("/v1/documents", token: token).status == .unauthorized)
        }
    }
}
