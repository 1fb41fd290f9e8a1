import Crypto
import Foundation
import LockerCore
import LockerStore
import Logging

/// OTP sign-in: a code by SMS, traded for a session; logout; the session check every owner
/// route makes. The code's rules are `OTPChallenge`'s.
struct SignInService: Sendable {
    let store: any SignInStore
    let otp: OTPChallenge
    let vault: Vault
    let sms: any SMSSender
    let settings: Settings
    let sessionCache: SessionCache
    let clock: @Sendable () -> Date

    /// Keyed hash of a client address (rate limits without storing addresses in clear).
    func clientHash(_ address: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Array("client:\(address)".utf8), using: otp.key))
    }

    /// Makes a sign-in challenge and texts its code (rate limits per mobile and per client).
    func startSignIn(mobile: String, clientAddress: String, logger: Logger) async throws -> ChallengeRecord {
        guard Validate.mobile(mobile) else { throw Problem.badRequest("mobile must be an E.164 number such as +919876543210") }
        let now = clock()
        let settings = self.settings
        let challengeID = SecureRandom.identifier()
        let (code, codeHash) = otp.makeCode(challengeID: challengeID)
        let sealedMobile = try FieldSeal.seal(Array(mobile.utf8), key: otp.key, field: "challenge-mobile", ownerID: challengeID)
        let challenge = ChallengeRecord(
            id: challengeID, purpose: "signin", mobileHash: vault.mobileHash(mobile), mobileSealed: Data(sealedMobile),
            clientHash: clientHash(clientAddress), otpHash: codeHash,
            attempts: 0, createdAt: now, expiresAt: now.addingTimeInterval(otp.lifetime), usedAt: nil)
        try await store.inSignInTransaction { tx in
            try OTPChallenge.enforceHourlyLimit(tx, .signIn(by: .mobile), key: challenge.mobileHash, limit: settings.challengesPerMobilePerHour, now: now)
            try OTPChallenge.enforceHourlyLimit(tx, .signIn(by: .client), key: challenge.clientHash, limit: settings.challengesPerClientPerHour, now: now)
            try tx.insertChallenge(challenge)
        }
        let minutes = Int(otp.lifetime / 60)
        do {
            try await sms.send(to: mobile, text: "Your Locker sign-in code is \(code). It expires in \(minutes) minutes. Never share it with anyone.")
            ServerMetrics.signInCodesSent.increment()
        } catch {
            ServerMetrics.smsFailures.increment()
            logger.error("SMS send failed", metadata: ["error.type": "\(type(of: error))"])
            throw Problem(.serviceUnavailable, "sms-unavailable", "SMS unavailable", detail: "The code could not be sent; try again shortly.")
        }
        return challenge
    }

    private enum Outcome: Sendable { case invalid, locked, signedIn(token: String, expiresAt: Date) }

    /// Trades a challenge's code for a new session token. Every try counts, wrong ones included.
    func finishSignIn(challengeID: String, code: String) async throws -> (token: String, expiresAt: Date) {
        guard Validate.localID(challengeID), OTPChallenge.wellFormed(code) else { throw OTPChallenge.invalid }
        let now = clock()
        let service = self
        let outcome: Outcome = try await store.inSignInTransaction { tx in
            guard var challenge = try tx.challenge(id: challengeID), challenge.purpose == "signin" else { return .invalid }
            let verdict = service.otp.judge(code, &challenge, now: now)
            guard verdict.counted else { return verdict == .locked ? .locked : .invalid }
            try tx.updateChallenge(challenge)
            let existing = try tx.citizen(mobileHash: challenge.mobileHash)
            guard verdict == .matched else {
                // The same work whether or not the number has an account (one entry either way),
                // so the answer's timing does not tell which numbers are registered.
                try tx.appendAudit(AuditEntry(at: now, action: "auth.sign-in-failed", actor: "citizen", citizenID: existing?.id,
                                              detail: ["attempt": String(challenge.attempts)]))
                return .invalid
            }
            let citizen: CitizenRecord
            if let existing {
                citizen = existing
            } else {
                let mobile = try FieldSeal.open([UInt8](challenge.mobileSealed), key: service.otp.key, field: "challenge-mobile", ownerID: challenge.id)
                citizen = try service.vault.makeCitizen(mobile: String(decoding: mobile, as: UTF8.self), now: now)
                try tx.insertCitizen(citizen)
            }
            let token = Credential.make(prefix: "ses")
            let session = SessionRecord(id: SecureRandom.identifier(), tokenHash: Data(Credential.hash(token)), citizenID: citizen.id,
                                        createdAt: now, expiresAt: now.addingTimeInterval(service.settings.sessionLifetime), revokedAt: nil)
            try tx.insertSession(session)
            try tx.appendAudit(AuditEntry(at: now, action: "auth.signed-in", actor: "citizen", citizenID: citizen.id, detail: ["session": session.id]))
            return .signedIn(token: token, expiresAt: session.expiresAt)
        }
        switch outcome {
        case .invalid: throw OTPChallenge.invalid
        case .locked: throw OTPChallenge.locked
        case .signedIn(let token, let expiresAt): return (token, expiresAt)
        }
    }

    /// Ends a session at once (and on this node, its cached copy and the citizen's cached data key).
    func endSession(_ session: SessionRecord, citizen: CitizenRecord) async throws {
        let now = clock()
        sessionCache.remove(session.tokenHash)
        vault.dataKeys.remove(citizenID: citizen.id)
        try await store.inSignInTransaction { tx in
            guard try tx.revokeSession(id: session.id, at: now) else { return }
            try tx.appendAudit(AuditEntry(at: now, action: "auth.signed-out", actor: "citizen", citizenID: citizen.id, detail: ["session": session.id]))
        }
        sessionCache.remove(session.tokenHash)
    }

    /// The live session for a session token however it arrived (bearer header or portal
    /// cookie); 401 if unknown, expired or logged out. Checked sessions are cached briefly.
    func session(token: String) throws -> (session: SessionRecord, citizen: CitizenRecord) {
        guard token.hasPrefix("lk_ses_"), token.utf8.count < 100 else { throw Problem.unauthorized }
        let hash = Data(Credential.hash(token))
        let now = clock()
        let found: (SessionRecord, CitizenRecord)?
        let cached = sessionCache.get(hash, now: now)
        if let value = cached.value {
            found = value
        } else {
            found = try store.session(tokenHash: hash)
            if let found { sessionCache.put(hash, found, now: now, epoch: cached.epoch) }
        }
        guard let (session, citizen) = found, session.revokedAt == nil, session.expiresAt > now,
              ConstantTime.equal([UInt8](session.tokenHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return (session, citizen)
    }
}
