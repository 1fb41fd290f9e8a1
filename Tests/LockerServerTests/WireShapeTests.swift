import Foundation
import Hummingbird
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

/// The typed answers keep the bytes the dictionaries wrote: compact JSON, keys sorted,
/// timestamps as `Timestamp.string`, nulls where the contract says null, `no-store`.
@Suite("Wire shapes of typed answers")
struct WireShapeTests {
    @Test("sign-in answers: exactly {challengeId,expiresAt} and {expiresAt,token,tokenType}")
    func signIn() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let c = try await client.json("/v1/auth/otp", ["mobile": "+919800000055"])
            #expect(c.status == .accepted)
            #expect(c.headers[.cacheControl] == "no-store")
            let expires = Timestamp.string(h.clock.now.addingTimeInterval(h.config.settings.otpLifetime))
            #expect(String(buffer: c.body).wholeMatch(of: #/\{"challengeId":"[0-9a-f]+","expiresAt":"(.+)"\}/#)?.output.1 == Substring(expires))
            let id = try jsonObject(c)["challengeId"] as! String
            let t = try await client.json("/v1/auth/token", ["challengeId": id, "otp": h.sms.lastOTP(for: "+919800000055")!])
            let sessionExpires = Timestamp.string(h.clock.now.addingTimeInterval(h.config.settings.sessionLifetime))
            #expect(String(buffer: t.body).wholeMatch(of: #/\{"expiresAt":"(.+)","token":"lk_ses_[A-Za-z0-9_-]+","tokenType":"Bearer"\}/#)?.output.1 == Substring(sessionExpires))
        }
    }

    @Test("activity: documentId and next are null, not missing; a problem without detail has no detail key")
    func nullsAndProblems() async throws {
        let h = try Harness()
        try await h.app().test(.router) { client in
            let token = try await client.signIn("+919800000056", harness: h)
            let a = try await client.get("/v1/activity", token: token)
            let text = String(buffer: a.body)
            #expect(text.hasPrefix(#"{"events":[{"action":"auth.signed-in","actor":"citizen","at":""#))
            #expect(text.contains(#""documentId":null"#))
            #expect(text.hasSuffix(#"],"next":null}"#))
            let missing = try await client.get("/v1/documents/0123456789abcdef0123456789abcdef", token: token)
            #expect(missing.status == .notFound)
            #expect(String(buffer: missing.body).hasPrefix(#"{"detail":"#))
            #expect(try jsonObject(missing).keys.sorted() == ["detail", "status", "title", "type"])
        }
    }
}
