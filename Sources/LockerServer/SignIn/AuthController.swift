import Foundation
import GRDB
import Hummingbird
import LockerCore
import LockerStore
import Logging

/// OTP sign-in: ask for a code, trade it for a session, log out.
struct AuthController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/auth/otp", use: requestOTP)
        router.post("/v1/auth/token", use: token)
        router.post("/v1/auth/logout", use: logout)
    }

    struct OTPRequest: Decodable { let mobile: String }
    struct TokenRequest: Decodable { let challengeId: String; let otp: String }

    static let otpInvalid = Problem(.unauthorized, "otp-invalid", "Invalid code", detail: "The code is wrong, expired or already used.")
    static let otpLocked = Problem(.unauthorized, "otp-locked", "Challenge locked", detail: "Too many wrong codes for this challenge; request a new code.")

    /// `POST /v1/auth/otp`: the same 202 whether or not the number has an account.
    @Sendable func requestOTP(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: OTPRequest.self, context: context)
        let challenge = try await startSignIn(mobile: body.mobile, clientAddress: context.clientAddress, logger: context.logger)
        return try JSONResponse.make(["challengeId": challenge.id, "expiresAt": JSONResponse.timestamp(challenge.expiresAt)], status: .accepted)
    }

    /// Makes a sign-in challenge and texts its code (rate limits per mobile and per client).
    func startSignIn(mobile: String, clientAddress: String, logger: Logger) async throws -> ChallengeRecord {
        let body = OTPRequest(mobile: mobile)
        guard Validate.mobile(body.mobile) else { throw Problem.badRequest("mobile must be an E.164 number such as +919876543210") }
        let now = services.clock()
        let settings = services.settings
        let otp = OTP.generate()
        let challengeID = SecureRandom.identifier()
        let sealedMobile = try FieldSeal.seal(Array(body.mobile.utf8), key: services.challengeKey, field: "challenge-mobile", ownerID: challengeID)
        let challenge = ChallengeRecord(
            id: challengeID, purpose: "signin", mobileHash: services.vault.mobileHash(body.mobile), mobileSealed: Data(sealedMobile),
            clientHash: services.clientHash(clientAddress), otpHash: Data(OTP.hash(otp, challengeID: challengeID, key: services.challengeKey)),
            attempts: 0, createdAt: now, expiresAt: now.addingTimeInterval(settings.otpLifetime), usedAt: nil)
        try await services.committer.write { db in
            try HourlyLimit.enforce(db, ChallengeRecord.self, column: ChallengeRecord.Columns.mobileHash, value: challenge.mobileHash,
                                    limit: settings.challengesPerMobilePerHour, now: now)
            try HourlyLimit.enforce(db, ChallengeRecord.self, column: ChallengeRecord.Columns.clientHash, value: challenge.clientHash,
                                    limit: settings.challengesPerClientPerHour, now: now)
            try challenge.insert(db)
        }
        let minutes = Int(settings.otpLifetime / 60)
        do {
            try await services.sms.send(to: body.mobile, text: "Your Locker sign-in code is \(otp). It expires in \(minutes) minutes. Never share it with anyone.")
        } catch {
            logger.error("SMS send failed", metadata: ["error.type": "\(type(of: error))"])
            throw Problem(.serviceUnavailable, "sms-unavailable", "SMS unavailable", detail: "The code could not be sent; try again shortly.")
        }
        return challenge
    }

    enum TokenOutcome: Sendable { case invalid, locked, signedIn(token: String, expiresAt: Date) }

    /// `POST /v1/auth/token`: the code for a session. Every try counts, wrong ones included.
    @Sendable func token(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: TokenRequest.self, context: context)
        let (token, expiresAt) = try await finishSignIn(challengeID: body.challengeId, otp: body.otp)
        return try JSONResponse.make(["token": token, "tokenType": "Bearer", "expiresAt": JSONResponse.timestamp(expiresAt)])
    }

    /// Trades a challenge's code for a new session token. Every try counts, wrong ones included.
    func finishSignIn(challengeID: String, otp: String) async throws -> (token: String, expiresAt: Date) {
        let body = TokenRequest(challengeId: challengeID, otp: otp)
        guard Validate.localID(body.challengeId), body.otp.utf8.count == 6, body.otp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw Self.otpInvalid
        }
        let now = services.clock()
        let services = self.services
        let outcome: TokenOutcome = try await services.committer.write { db in
            guard var challenge = try ChallengeRecord.fetchOne(db, key: body.challengeId), challenge.purpose == "signin",
                  challenge.usedAt == nil, challenge.expiresAt > now else { return .invalid }
            guard challenge.attempts < services.settings.otpMaxAttempts else { return .locked }
            challenge.attempts += 1
            let existing = try CitizenRecord.filter(CitizenRecord.Columns.mobileHash == challenge.mobileHash).fetchOne(db)
            guard OTP.matches(body.otp, challengeID: challenge.id, stored: [UInt8](challenge.otpHash), key: services.challengeKey) else {
                try challenge.update(db)
                // The same work whether or not the number has an account (one entry either way),
                // so the answer's timing does not tell which numbers are registered.
                try AuditLog.append(db, at: now, action: "auth.sign-in-failed", actor: "citizen", citizenID: existing?.id, documentID: nil,
                                    detail: ["attempt": String(challenge.attempts)])
                return .invalid
            }
            challenge.usedAt = now
            try challenge.update(db)
            let citizen: CitizenRecord
            if let existing {
                citizen = existing
            } else {
                let mobile = try FieldSeal.open([UInt8](challenge.mobileSealed), key: services.challengeKey, field: "challenge-mobile", ownerID: challenge.id)
                citizen = try services.vault.makeCitizen(mobile: String(decoding: mobile, as: UTF8.self), now: now)
                try citizen.insert(db)
            }
            let token = Credential.make(prefix: "ses")
            let session = SessionRecord(id: SecureRandom.identifier(), tokenHash: Data(Credential.hash(token)), citizenID: citizen.id,
                                        createdAt: now, expiresAt: now.addingTimeInterval(services.settings.sessionLifetime), revokedAt: nil)
            try session.insert(db)
            try AuditLog.append(db, at: now, action: "auth.signed-in", actor: "citizen", citizenID: citizen.id, documentID: nil, detail: ["session": session.id])
            return .signedIn(token: token, expiresAt: session.expiresAt)
        }
        switch outcome {
        case .invalid: throw Self.otpInvalid
        case .locked: throw Self.otpLocked
        case .signedIn(let token, let expiresAt):
            return (token, expiresAt)
        }
    }

    /// `POST /v1/auth/logout`: the session stops working at once.
    @Sendable func logout(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (session, citizen) = try Authenticate.session(request, services: services)
        try await endSession(session, citizen: citizen)
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// Ends a session at once (and on this node, its cached copy).
    func endSession(_ session: SessionRecord, citizen: CitizenRecord) async throws {
        let now = services.clock()
        services.sessionCache.remove(session.tokenHash)
        try await services.committer.write { db in
            guard var stored = try SessionRecord.fetchOne(db, key: session.id) else { return }
            stored.revokedAt = now
            try stored.update(db)
            try AuditLog.append(db, at: now, action: "auth.signed-out", actor: "citizen", citizenID: citizen.id, documentID: nil, detail: ["session": session.id])
        }
        services.sessionCache.remove(session.tokenHash)
    }
}
