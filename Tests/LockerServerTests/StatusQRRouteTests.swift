import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

@Suite("Status QR codes in signed answers")
struct StatusQRRouteTests {
    let cowin = TestIssuer(id: "in.gov.cowin")
    let irctc = TestVerifier(id: "irctc", origins: [])

    func harness() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN")
        try h.register(irctc, name: "IRCTC")
        return h
    }

    /// The published JWKS, as a verifier would have saved it.
    func jwks(_ client: some TestClientProtocol) async throws -> JWKSet {
        let r = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
        return try JWKSet(json: Array(r.body.readableBytesView))
    }

    /// The payload bytes of a compact JWS.
    static func payload(_ jws: String) -> [UInt8]? { Base64URL.decode(String(jws.split(separator: ".")[1])) }

    @Test("a status redemption asked with qr: true carries a locker:/ code that verifies offline to the statement's own claims")
    func shareQR() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "A"), content: Array("document A".utf8)))
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000001", harness: h)
            let grant = try jsonObject(try await client.json("/v1/documents/\(id)/shares", ["label": "Clerk", "scope": "status", "maxUses": 2], token: token))
            let plain = try jsonObject(try await client.json("/v1/shares/redeem", ["token": grant["token"]!]))
            #expect(plain["statement"] is String && plain["qr"] == nil)
            let asked = try await client.json("/v1/shares/redeem", ["token": grant["token"]!, "qr": true])
            #expect(asked.status == .ok && asked.headers[.cacheControl] == "no-store")
            let answer = try jsonObject(asked)
            let qr = try #require(answer["qr"] as? String)
            #expect(qr.hasPrefix("locker:/"))
            let keys = try await jwks(client)
            let verdict = OfflineVerifier.verify(qr, context: .init(jwks: keys, now: h.clock.now))
            #expect(verdict.isValid && verdict.kind == .shareStatus)
            #expect(verdict.claims == Self.payload(answer["statement"] as! String))
            #expect(!qr.isEmpty && !String(decoding: verdict.claims ?? [], as: UTF8.self).contains("Asha"))
        }
    }

    @Test("a KYC-VS confirm asked with qr: true answers JSON {jws, qr}; the code verifies for that verifier only")
    func kycQR() async throws {
        let h = try harness()
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000002", docId: "K"), content: [1]))
            let id = try jsonObject(try await client.ask(irctc, mobile: "+919800000002", name: "Asha Verma"))["requestId"] as! String
            let otp = try #require(h.sms.lastOTP(for: "+919800000002"))
            let r = try await client.execute(uri: "/v1/kyc-vs/requests/\(id)/confirm", method: .post,
                                             headers: [.authorization: "Bearer \(irctc.apiKey)", .contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"otp":"\#(otp)","qr":true}"#))
            #expect(r.status == .ok && r.headers[.contentType] == "application/json" && r.headers[.cacheControl] == "no-store")
            let answer = try jsonObject(r)
            let keys = try await jwks(client)
            let verdict = OfflineVerifier.verify(answer["qr"] as! String, context: .init(jwks: keys, now: h.clock.now, audience: "irctc"))
            #expect(verdict.isValid && verdict.kind == .kycAnswer)
            #expect(verdict.claims == Self.payload(answer["jws"] as! String))
            let other = OfflineVerifier.verify(answer["qr"] as! String, context: .init(jwks: keys, now: h.clock.now, audience: "uidai"))
            #expect(other.failure == .wrongAudience)
        }
    }
}
