import Foundation
import GRDB
import HummingbirdTesting
import LockerCore
import LockerStore
import Logging
import Testing
@testable import LockerServer

/// The feature services' rules, called directly over the real SQLite adapter (no HTTP): each
/// test fails if the rule it names is taken out of the service.
@Suite("Service rules")
struct ServiceRuleTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    static func slug(_ work: () async throws -> Void) async -> String? {
        do { try await work() } catch let problem as Problem { return problem.slug } catch { return "\(type(of: error))" }
        return nil
    }

    /// Services whose OTP lockout comes after `attempts` tries (not the default 3, so a second
    /// copy of the rule with its own number would show).
    static func services(_ h: Harness, attempts: Int) -> LockerServices {
        var settings = h.config.settings
        settings.otpMaxAttempts = attempts
        let clock = h.clock
        return LockerServices(vault: h.vault, sms: h.sms, settings: settings, clock: { clock.now })
    }

    @Test("OTPChallenge.judge: counts every try, locks at maxAttempts, refuses used and expired challenges")
    func judge() {
        let otp = OTPChallenge(key: .init(size: .bits256), lifetime: 300, maxAttempts: 2)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let (code, hash) = otp.makeCode(challengeID: "c1")
        let wrong = code == "000000" ? "111111" : "000000"
        func judge(_ typed: String, attempts: Int, used: Date? = nil, expires: Date = now.addingTimeInterval(60)) -> (OTPChallenge.Verdict, Int, Date?) {
            var challenge = ChallengeRecord(id: "c1", purpose: "signin", mobileHash: Data(), mobileSealed: Data(), clientHash: Data(), otpHash: hash,
                                            attempts: attempts, createdAt: now, expiresAt: expires, usedAt: used)
            let verdict = otp.judge(typed, &challenge, now: now)
            return (verdict, challenge.attempts, challenge.usedAt)
        }
        #expect(judge(wrong, attempts: 0) == (.wrong, 1, nil))
        #expect(judge(code, attempts: 1) == (.matched, 2, now))
        #expect(judge(code, attempts: 2) == (.locked, 2, nil), "locked even for the right code, and not counted")
        #expect(judge(code, attempts: 0, used: now) == (.invalid, 0, now))
        #expect(judge(code, attempts: 0, expires: now) == (.invalid, 0, nil))
        #expect(OTPChallenge.wellFormed("123456") && !OTPChallenge.wellFormed("12345") && !OTPChallenge.wellFormed("１２３４５６"))
    }

    @Test("sign-in and KYC-VS consent lock after the same otpMaxAttempts, through the one OTPChallenge")
    func sharedLockout() async throws {
        let h = try Harness()
        let services = Self.services(h, attempts: 2)
        let mobile = "+919800000077"
        let challenge = try await services.signIn.startSignIn(mobile: mobile, clientAddress: "127.0.0.1", logger: Logger(label: "test"))
        let code = try #require(h.sms.lastOTP(for: mobile))
        let wrong = code == "000000" ? "111111" : "000000"
        for _ in 0..<2 {
            #expect(await Self.slug { _ = try await services.signIn.finishSignIn(challengeID: challenge.id, code: wrong) } == "otp-invalid")
        }
        #expect(await Self.slug { _ = try await services.signIn.finishSignIn(challengeID: challenge.id, code: code) } == "otp-locked")

        let verifier = VerifierRecord(id: "rail.co", name: "Rail Co", origins: [], apiKeyHash: Data(Credential.hash(Credential.make(prefix: "ver"))), createdAt: h.clock.now)
        try await h.vault.database.pool.write { db in try verifier.insert(db) }
        let request = try await services.kyc.ask(KYCService.Ask(mobile: mobile, name: "Asha Verma", purpose: "boarding check", nonce: nil), verifier: verifier)
        let consent = try #require(h.sms.lastOTP(for: mobile))
        let wrongConsent = consent == "000000" ? "111111" : "000000"
        for _ in 0..<2 {
            #expect(await Self.slug { _ = try await services.kyc.confirm(requestID: request.id, code: wrongConsent, verifierID: verifier.id) } == "otp-invalid")
        }
        #expect(await Self.slug { _ = try await services.kyc.confirm(requestID: request.id, code: consent, verifierID: verifier.id) } == "otp-locked")
    }

    @Test("the hourly code limit counts sign-in challenges per mobile and answers 429 with Retry-After")
    func hourlyLimit() async throws {
        let h = try Harness()
        let services = h.services
        let limit = h.config.settings.challengesPerMobilePerHour
        for i in 0..<limit {
            _ = try await services.signIn.startSignIn(mobile: "+919800000078", clientAddress: "10.0.0.\(i)", logger: Logger(label: "test"))
        }
        do {
            _ = try await services.signIn.startSignIn(mobile: "+919800000078", clientAddress: "10.0.1.1", logger: Logger(label: "test"))
            Issue.record("the code over the limit was sent")
        } catch let problem as Problem {
            #expect(problem.slug == "rate-limited")
            #expect(problem.headers[.retryAfter] == "3600")
        }
        h.clock.advance(3601)
        _ = try await services.signIn.startSignIn(mobile: "+919800000078", clientAddress: "10.0.1.1", logger: Logger(label: "test"))
    }

    @Test("pruning deletes only what expired over two hours ago, keeps the hour the limits count, and never the audit log")
    func pruning() async throws {
        let h = try Harness()
        let services = h.services
        try h.register(cowin, name: "CoWIN")
        let token = try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000081", docId: "P1"), content: Array("p".utf8)))
            return try await client.signIn("+919800000081", harness: h)
        }
        let count = { (table: String) in try h.vault.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)")! } }
        #expect(try count("otpChallenges") == 1 && count("sessions") == 1)
        // Nothing is due yet: the challenge is under the hour the limits look back over.
        #expect(try await services.maintenance.pruneExpired(now: h.clock.now).total == 0)
        h.clock.advance(Pruning.keep + 3600 + 1)
        // A fresh challenge (still counted by the hourly limit) stays; the old one and the ended session go.
        _ = try await services.signIn.startSignIn(mobile: "+919800000081", clientAddress: "10.0.0.9", logger: Logger(label: "test"))
        let auditBefore = try count("auditLog")
        let pruned = try await services.maintenance.pruneExpired(now: h.clock.now)
        #expect(pruned == PruneCounts(challenges: 1, kycRequests: 0, sessions: 1))
        #expect(try count("otpChallenges") == 1 && count("sessions") == 0)
        #expect(try count("auditLog") == auditBefore)
        #expect(try SQLiteAdminStore(database: h.vault.database).checkAuditChain().firstBroken == nil)
        let status = try await h.app().test(.router) { client in try await client.get("/v1/documents", token: token).status }
        #expect(status == .unauthorized)
    }

    /// A citizen with one pushed certificate: the owner and the document.
    func owner(_ h: Harness) async throws -> (CitizenRecord, DocumentRecord) {
        try h.register(cowin, name: "CoWIN")
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000079", docId: "S1"), content: Array("shared bytes".utf8)))
        }
        let citizen = try #require(try h.vault.citizens.find(mobileHash: h.vault.mobileHash("+919800000079")))
        let document = try #require(try h.services.documents.list(ownerID: citizen.id).documents.first)
        return (citizen, document)
    }

    @Test("ShareService: exactly maxUses status redemptions, a refund gives one back, a stranger cannot revoke")
    func shareUses() async throws {
        let h = try Harness()
        let (citizen, document) = try await owner(h)
        let shares = h.services.shares
        let (share, token) = try await shares.create(citizen: citizen, documentID: document.id,
                                                     request: ShareRequest(label: "clerk", expiresInSeconds: 3600, maxUses: 2, scope: "status", passcode: nil))
        var grants: [ShareGrant] = []
        for _ in 0..<2 {
            guard case .status(let grant) = try await shares.redeem(token: token, passcode: nil, client: "127.0.0.1", userAgent: "t") else {
                Issue.record("a live grant was refused"); return
            }
            grants.append(grant)
        }
        guard case .notFound = try await shares.redeem(token: token, passcode: nil, client: "127.0.0.1", userAgent: "t") else {
            Issue.record("a third use was granted"); return
        }
        try await shares.recordFailure(grants[0], action: "share.failed", refund: true)
        guard case .status = try await shares.redeem(token: token, passcode: nil, client: "127.0.0.1", userAgent: "t") else {
            Issue.record("the refunded use was not given back"); return
        }
        let stranger = CitizenRecord(id: SecureRandom.identifier(), mobileHash: Data(), mobileSealed: Data(), dekWrapped: Data(), kekVersion: 1, dekVersion: 1, createdAt: Date())
        #expect(await Self.slug { try await shares.revoke(citizen: stranger, id: share.id) } == "not-found")
        try await shares.revoke(citizen: citizen, id: share.id)
        #expect(try shares.list(ownerID: citizen.id).first?.state(at: h.clock.now) == .revoked)
    }

    @Test("ShareService: wrong passcodes count down and lock the grant; then even the right one is refused")
    func sharePasscodeLockout() async throws {
        let h = try Harness()
        let (citizen, document) = try await owner(h)
        let shares = h.services.shares
        let (_, token) = try await shares.create(citizen: citizen, documentID: document.id,
                                                 request: ShareRequest(label: "clerk", expiresInSeconds: 3600, maxUses: 5, scope: "status", passcode: "4321"))
        for expected in stride(from: ShareRecord.passcodeLockout - 1, through: 0, by: -1) {
            guard case .wrongPasscode(let remaining) = try await shares.redeem(token: token, passcode: "0000", client: "c", userAgent: "t") else {
                Issue.record("a wrong passcode was accepted"); return
            }
            #expect(remaining == expected)
        }
        guard case .notFound = try await shares.redeem(token: token, passcode: "4321", client: "c", userAgent: "t") else {
            Issue.record("a locked grant redeemed"); return
        }
    }
}
