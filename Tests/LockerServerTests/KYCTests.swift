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

struct TestVerifier {
    let id: String
    let apiKey = Credential.make(prefix: "ver")
    let origins: [String]
}

extension Harness {
    func register(_ verifier: TestVerifier, name: String) throws {
        let record = VerifierRecord(id: verifier.id, name: name, origins: verifier.origins, apiKeyHash: Data(Credential.hash(verifier.apiKey)), createdAt: clock.now)
        try vault.database.pool.write { db in try record.insert(db) }
    }
}

extension TestClientProtocol {
    func ask(_ verifier: TestVerifier, mobile: String, name: String, nonce: String? = nil) async throws -> TestResponse {
        var body: [String: Any] = ["mobile": mobile, "name": name, "purpose": "Train booking PNR ending 34"]
        if let nonce { body["nonce"] = nonce }
        return try await execute(uri: "/v1/kyc-vs/requests", method: .post, headers: [.authorization: "Bearer \(verifier.apiKey)", .contentType: "application/json"],
                                 body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    func confirm(_ verifier: TestVerifier, request: String, otp: String) async throws -> TestResponse {
        try await execute(uri: "/v1/kyc-vs/requests/\(request)/confirm", method: .post, headers: [.authorization: "Bearer \(verifier.apiKey)", .contentType: "application/json"],
                          body: ByteBuffer(string: "{\"otp\":\"\(otp)\"}"))
    }

    /// Asks and confirms with the right OTP; returns the verified JWS payload.
    func statusAnswer(_ verifier: TestVerifier, mobile: String, name: String, harness: Harness) async throws -> [String: Any] {
        let asked = try await ask(verifier, mobile: mobile, name: name, nonce: "n-123")
        let id = try jsonObject(asked)["requestId"] as! String
        let answer = try await confirm(verifier, request: id, otp: harness.sms.lastOTP(for: mobile)!)
        guard answer.status == .ok else { throw TestFailure("confirm \(answer.status): \(String(buffer: answer.body))") }
        #expect(answer.headers[.contentType] == "application/jose")
        let jws = String(buffer: answer.body)
        let jwks = try jsonObject(try await execute(uri: "/.well-known/jwks.json", method: .get))["keys"] as! [[String: String]]
        let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(String(jws.split(separator: ".")[0]))!)) as! [String: Any]
        #expect(header["alg"] as? String == "Ed25519")
        #expect(header["typ"] as? String == "kyc-vs+jwt")
        let jwk = try #require(jwks.first { $0["kid"] == header["kid"] as? String })
        let key = try Curve25519.Signing.PublicKey(rawRepresentation: Base64URL.decode(jwk["x"]!)!)
        return try #require(CompactJWS.verify(jws, publicKey: key))
    }
}

@Suite("KYC-VS")
struct KYCTests {
    let cowin = TestIssuer(id: "in.gov.cowin")
    let irctc = TestVerifier(id: "irctc", origins: ["https://www.irctc.co.in"])
    let employer = TestVerifier(id: "acme.employer", origins: ["https://hr.acme.example"])

    func setUp() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try h.register(irctc, name: "IRCTC")
        try h.register(employer, name: "ACME HR")
        return h
    }

    @Test("statuses 0, 1 and 2 come out right; a mismatched name gives 0; the name picks the person on a shared number")
    func statuses() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            // One number, three people (CoWIN allows four per number).
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "P1", name: "Asha Verma", doses: 2), content: [1]))
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "P2", name: "Ravi Verma", doses: 1), content: [2]))
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "P3", name: "Meera Verma", doses: 0), content: [3]))
            let cases: [(String, Int)] = [("Asha Verma", 2), ("  ásha   VERMA ", 2), ("Ravi Verma", 1), ("Meera Verma", 0), ("Someone Else", 0), ("Asha", 0)]
            for (name, expected) in cases {
                h.clock.advance(800)  // stay under the per-number request limit (5 an hour)
                let payload = try await client.statusAnswer(irctc, mobile: "+919800000001", name: name, harness: h)
                #expect(payload["status"] as? Int == expected, "\(name)")
                #expect(payload["aud"] as? String == "irctc")
                #expect(payload["nonce"] as? String == "n-123")
                let iat = payload["iat"] as? Int ?? 0, exp = payload["exp"] as? Int ?? 0
                #expect(exp > iat && exp - iat <= 600)
                #expect(Set(payload.keys) == ["kind", "status", "iss", "aud", "jti", "iat", "exp", "nonce"], "the answer holds nothing else")
                #expect(payload["kind"] as? String == "kyc-vs")
            }
            // An unknown number answers 0 the same way.
            let unknown = try await client.statusAnswer(irctc, mobile: "+919800000077", name: "Asha Verma", harness: h)
            #expect(unknown["status"] as? Int == 0)
        }
    }

    @Test("a revoked certificate no longer counts; the newest matching one does")
    func revokedAndNewest() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "OLD", name: "Asha Verma", doses: 1), content: [1]))
            var newer = Harness.vacer("+919800000001", docId: "NEW", name: "Asha Verma", doses: 2)
            newer["issuedOn"] = "2026-11-20"
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: newer, content: [2]))
            #expect(try await client.statusAnswer(irctc, mobile: "+919800000001", name: "Asha Verma", harness: h)["status"] as? Int == 2)
            _ = try await client.execute(uri: "/v1/issuer/documents/in.gov.cowin-VACER-NEW", method: .delete, headers: [.authorization: "Bearer \(cowin.apiKey)"])
            #expect(try await client.statusAnswer(irctc, mobile: "+919800000001", name: "Asha Verma", harness: h)["status"] as? Int == 1)
        }
    }

    @Test("the answer and the SMS hold no personal data beyond what the citizen must see")
    func noPersonalData() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "P1", name: "Asha Verma"), content: [1]))
            let asked = try await client.ask(irctc, mobile: "+919800000001", name: "Asha Verma")
            let id = try jsonObject(asked)["requestId"] as! String
            let answer = try await client.confirm(irctc, request: id, otp: h.sms.lastOTP(for: "+919800000001")!)
            let jws = String(buffer: answer.body)
            let payload = String(decoding: Base64URL.decode(String(jws.split(separator: ".")[1]))!, as: UTF8.self)
            for secret in ["Asha", "Verma", "9800000001", "COVISHIELD", "2026-10-01"] {
                #expect(!payload.contains(secret), "\(secret) leaked into the answer")
            }
        }
    }

    @Test("wrong, replayed and expired OTPs fail; verifier A cannot confirm verifier B's request")
    func otpRules() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let asked = try await client.ask(irctc, mobile: "+919800000001", name: "Asha Verma")
            let id = try jsonObject(asked)["requestId"] as! String
            let otp = h.sms.lastOTP(for: "+919800000001")!
            #expect(h.sms.lastOTPText(for: "+919800000001")?.contains("IRCTC") == true, "the SMS names the verifier")
            let other = try await client.confirm(employer, request: id, otp: otp)
            #expect(other.status == .notFound)
            let unknown = try await client.confirm(employer, request: SecureRandom.identifier(), otp: otp)
            #expect(String(buffer: other.body) == String(buffer: unknown.body))
            let wrong = try await client.confirm(irctc, request: id, otp: otp == "000000" ? "111111" : "000000")
            #expect(wrong.status == .unauthorized)
            #expect(try await client.confirm(irctc, request: id, otp: otp).status == .ok)
            let replay = try await client.confirm(irctc, request: id, otp: otp)
            #expect(replay.status == .unauthorized)
            #expect(try problem(replay)["type"] as? String == "/problems/otp-invalid")

            h.clock.advance(700)
            let later = try await client.ask(irctc, mobile: "+919800000001", name: "Asha Verma")
            let laterID = try jsonObject(later)["requestId"] as! String
            h.clock.advance(301)
            #expect(try await client.confirm(irctc, request: laterID, otp: h.sms.lastOTP(for: "+919800000001")!).status == .unauthorized)
            let noKey = try await client.execute(uri: "/v1/kyc-vs/requests", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(noKey.status == .unauthorized)
        }
    }

    @Test("the consent page may be framed only by the verifier's registered origins and never leaks the referrer")
    func embedPageHeaders() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let asked = try await client.ask(irctc, mobile: "+919800000001", name: "Asha Verma")
            let id = try jsonObject(asked)["requestId"] as! String
            let page = try await client.execute(uri: "/kyc-vs/embed?request=\(id)", method: .get)
            #expect(page.status == .ok)
            let csp = page.headers[.contentSecurityPolicy] ?? ""
            #expect(csp.contains("frame-ancestors https://www.irctc.co.in"))
            #expect(!csp.contains("hr.acme.example"))
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let html = String(buffer: page.body)
            #expect(html.contains("IRCTC wants to check your vaccination status"))
            #expect(html.contains("Train booking PNR ending 34"))
            #expect(html.contains("data-origin=\"https://www.irctc.co.in\""))
            #expect(!html.contains("Asha"), "the page does not echo the name the verifier typed")
            let missing = try await client.execute(uri: "/kyc-vs/embed?request=\(SecureRandom.identifier())", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            // The page's own confirm works with the OTP alone and returns the JWS for postMessage.
            let confirmed = try await client.json("/kyc-vs/embed/confirm", ["request": id, "otp": h.sms.lastOTP(for: "+919800000001")!])
            #expect(confirmed.status == .ok)
            #expect((try jsonObject(confirmed)["jws"] as? String)?.split(separator: ".").count == 3)
        }
    }

    @Test("requests and answers appear in the citizen's activity")
    func audited() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "P1"), content: [1]))
            _ = try await client.statusAnswer(irctc, mobile: "+919800000001", name: "Asha Verma", harness: h)
            let token = try await client.signIn("+919800000001", harness: h)
            let events = try jsonObject(try await client.get("/v1/activity", token: token))["events"] as! [[String: Any]]
            let kyc = events.filter { ($0["action"] as? String)?.hasPrefix("kyc.") == true }
            #expect(kyc.count == 2)
            #expect(kyc.allSatisfy { ($0["detail"] as? [String: Any])?["verifier"] as? String == "IRCTC" })
        }
    }
}

extension RecordingSMS {
    func lastOTPText(for mobile: String) -> String? { lastText(for: mobile) }
}
