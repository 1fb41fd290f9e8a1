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

@Suite("Admin endpoints and signing-key roll-over")
struct KeyAdminTests {
    @Test("GET /v1/admin/keys needs the admin credential; without it, it is indistinguishable from an unknown route")
    func adminEndpointHidden() async throws {
        let h = try Harness()
        #expect(try AdminCredentials.ensureInitial(vault: h.vault))
        #expect(try !AdminCredentials.ensureInitial(vault: h.vault), "made once only")
        let credential = try String(contentsOfFile: h.vault.layout.initialAdminCredentialPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let stored = try await h.vault.database.pool.read { db in try Data.fetchAll(db, sql: "SELECT hash FROM adminCredentials") }
        #expect(stored == [Data(Credential.hash(credential))], "stored only as its hash")
        try h.vault.rotateKEK(actor: "test", now: h.clock.now)
        try await h.app().test(.router) { client in
            let unknown = try await client.execute(uri: "/v1/admin/nothing", method: .get)
            for headers: HTTPFields in [[:], [.authorization: "Bearer lk_adm_wrong"], [.authorization: "Bearer \(Credential.make(prefix: "ses"))"]] {
                let refused = try await client.execute(uri: "/v1/admin/keys", method: .get, headers: headers)
                #expect(refused.status == .notFound)
                #expect(String(buffer: refused.body) == String(buffer: unknown.body))
                #expect(refused.headers[.wwwAuthenticate] == nil)
            }
            let wrongMethod = try await client.execute(uri: "/v1/admin/keys", method: .post)
            #expect(wrongMethod.status == .notFound, "no 405 that would reveal the route")
            let adminWrongMethod = try await client.execute(uri: "/v1/admin/keys", method: .post, headers: [.authorization: "Bearer \(credential)"])
            #expect(adminWrongMethod.status == .methodNotAllowed, "the admin may learn the route's methods")
            let ok = try await client.execute(uri: "/v1/admin/keys", method: .get, headers: [.authorization: "Bearer \(credential)"])
            #expect(ok.status == .ok)
            let body = try jsonObject(ok)
            #expect(body["primaryVersion"] as? Int == 2)
            #expect((body["versions"] as? [[String: Any]])?.count == 2)
        }
        let replaced = try AdminCredentials.reset(vault: h.vault, actor: "test")
        #expect(try !AdminCredentials.check(credential, vault: h.vault), "reset revokes the old credential")
        #expect(try AdminCredentials.check(replaced, vault: h.vault))
    }

    @Test("after a signing-key roll-over the old key verifies old answers until they expire, then leaves the JWKS")
    func signingRollover() async throws {
        let h = try Harness()
        let cowin = TestIssuer(id: "in.gov.cowin")
        let irctc = TestVerifier(id: "irctc", origins: ["https://www.irctc.co.in"])
        try h.register(cowin, name: "CoWIN")
        try h.register(irctc, name: "IRCTC")
        let mobile = "+919811122233"
        try await h.app().test(.router) { client in
            #expect(try await client.push(cowin, Harness.pushBody(cowin, metadata: Harness.vacer(mobile, docId: "D1"), content: Array("%PDF-1.7 x".utf8))).status == .created)
            let asked = try await client.ask(irctc, mobile: mobile, name: "Asha Verma")
            let oldAnswer = String(buffer: try await client.confirm(irctc, request: try jsonObject(asked)["requestId"] as! String, otp: h.sms.lastOTP(for: mobile)!).body)
            let oldKid = try Self.kid(oldAnswer)

            let (fresh, retired) = try h.vault.rotateSigningKey(actor: "test", now: h.clock.now)
            #expect(retired == [oldKid])
            h.services.status.reloadSigningKey()  // what KeyWatcher does within a second
            h.clock.advance(Vault.signedAnswerLifetime - 10)

            let asked2 = try await client.ask(irctc, mobile: mobile, name: "Asha Verma")
            let newAnswer = String(buffer: try await client.confirm(irctc, request: try jsonObject(asked2)["requestId"] as! String, otp: h.sms.lastOTP(for: mobile)!).body)
            #expect(try Self.kid(newAnswer) == fresh.kid)

            // Both keys published; each verifies its own answer and not the other's.
            let jwks = try await Self.jwks(client)
            #expect(Set(jwks.keys) == [oldKid, fresh.kid])
            #expect(CompactJWS.verify(oldAnswer, publicKey: jwks[oldKid]!)?["status"] as? Int == 2)
            #expect(CompactJWS.verify(newAnswer, publicKey: jwks[fresh.kid]!) != nil)
            #expect(CompactJWS.verify(oldAnswer, publicKey: jwks[fresh.kid]!) == nil)
            let oldExp = try #require(CompactJWS.verify(oldAnswer, publicKey: jwks[oldKid]!)?["exp"] as? Int)

            // Past the old answer's expiry (plus the margin), the old key leaves.
            h.clock.advance(Vault.publishMargin + 11)
            #expect(Int(h.clock.now.timeIntervalSince1970) > oldExp)
            #expect(Set(try await Self.jwks(client).keys) == [fresh.kid])
        }
    }

    static func kid(_ jws: String) throws -> String {
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(String(jws.split(separator: ".")[0]))!)) as! [String: Any]
        return header["kid"] as! String
    }

    static func jwks(_ client: some TestClientProtocol) async throws -> [String: Curve25519.Signing.PublicKey] {
        let keys = try jsonObject(try await client.execute(uri: "/.well-known/jwks.json", method: .get))["keys"] as! [[String: String]]
        var out = [String: Curve25519.Signing.PublicKey]()
        // The status keys (Ed25519); the SMART Health Card key (EC P-256) is not rotated here.
        for k in keys where k["kty"] == "OKP" { out[k["kid"]!] = try Curve25519.Signing.PublicKey(rawRepresentation: Base64URL.decode(k["x"]!)!) }
        return out
    }
}
