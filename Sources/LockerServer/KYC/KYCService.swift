import Foundation
import LockerCore
import LockerStore

/// KYC-VS: a verifier asks for a citizen's vaccination status; the citizen's OTP is consent;
/// the verifier gets a signed 0/1/2 and nothing else. The code's rules are `OTPChallenge`'s,
/// the same as sign-in's.
struct KYCService: Sendable {
    let store: any SignInStore
    let otp: OTPChallenge
    let status: StatusService
    let audit: any AuditStore
    let vault: Vault
    let sms: any SMSSender
    let settings: Settings
    let clock: @Sendable () -> Date

    /// What a verifier asks (the body of `POST /v1/kyc-vs/requests`).
    struct Ask: Sendable {
        let mobile: String
        let name: String
        let purpose: String
        let nonce: String?
    }

    /// The length of digit run a purpose may not hold (so at most 3 digits in a row).
    static let purposeDigitRunLimit = 4

    /// Records a request and texts the citizen the consent code; the same answer whether or
    /// not the number is known.
    func ask(_ ask: Ask, verifier: VerifierRecord) async throws -> KYCRequestRecord {
        guard Validate.mobile(ask.mobile) else { throw Problem.badRequest("mobile must be an E.164 number such as +919876543210") }
        guard Validate.displayText(ask.name, max: 200) else {
            throw Problem.badRequest("name must be 1-200 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        let purpose = ask.purpose
        guard Validate.displayText(purpose, max: 200) else {
            throw Problem.badRequest("purpose must be 1-200 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        // The purpose is quoted in the consent SMS beside the code; a number in it must not
        // pass for the code.
        guard Validate.longestDigitRun(purpose) < Self.purposeDigitRunLimit else {
            throw Problem.badRequest("purpose must not hold \(Self.purposeDigitRunLimit) or more digits in a row (it is shown beside the consent code); write a reference as, e.g., PNR ending 888")
        }
        if let nonce = ask.nonce {
            // Signed into the answer as given: no control or invisible characters (a NUL cut it
            // short in some readers, so two nonces could yield answers that read the same).
            guard Validate.displayText(nonce, max: 128) else {
                throw Problem.badRequest("nonce must be 1-128 characters, without control, format or separator characters")
            }
        }
        let now = clock()
        let id = SecureRandom.identifier()
        let (code, codeHash) = otp.makeCode(challengeID: id)
        let record = KYCRequestRecord(
            id: id, verifierID: verifier.id, mobileHash: vault.mobileHash(ask.mobile),
            nameSealed: Data(try FieldSeal.seal(Array(ask.name.utf8), key: otp.key, field: "kyc-name", ownerID: id)),
            purpose: purpose, nonce: ask.nonce, otpHash: codeHash,
            attempts: 0, createdAt: now, expiresAt: now.addingTimeInterval(otp.lifetime))
        let perHour = settings.challengesPerMobilePerHour
        try await store.inSignInTransaction { tx in
            try OTPChallenge.enforceHourlyLimit(tx, .kycConsent, key: record.mobileHash, limit: perHour, now: now)
            try tx.insertKYCRequest(record)
            let citizen = try tx.citizen(mobileHash: record.mobileHash)
            try tx.appendAudit(AuditEntry(at: now, action: "kyc.requested", actor: "verifier:\(verifier.id)", citizenID: citizen?.id,
                                          detail: ["verifier": verifier.name, "purpose": purpose, "request": id]))
        }
        do {
            try await sms.send(to: ask.mobile, text: SMSText.kycConsent(otp: code, verifierName: verifier.name, purpose: purpose,
                                                                         minutes: Int(otp.lifetime / 60)))
            ServerMetrics.consentCodesSent.increment()
        } catch {
            ServerMetrics.smsFailures.increment()
            throw Problem(.serviceUnavailable, "sms-unavailable", "SMS unavailable", detail: "The consent code could not be sent; try again shortly.")
        }
        return record
    }

    private enum Outcome: Sendable {
        case notFound, invalid, locked
        case answer(mobileHash: Data, name: String, verifierID: String, verifierName: String, nonce: String?, citizenID: String?)
    }

    /// Judges the consent code and, when it matches, answers with the signed status (on
    /// record before it leaves), and its status QR text when asked for (`StatusQR`).
    /// `verifierID` nil: the citizen's own confirm on the consent page.
    func confirm(requestID: String, code: String, verifierID: String?, qr: Bool = false) async throws -> (jws: String, qr: String?) {
        guard OTPChallenge.wellFormed(code) else { throw OTPChallenge.invalid }
        let now = clock()
        let otp = self.otp
        let outcome: Outcome = try await store.inSignInTransaction { tx in
            guard var record = try tx.kycRequest(id: requestID), verifierID == nil || record.verifierID == verifierID else { return .notFound }
            // A verifier disabled after asking gets nothing: its requests look unknown, and the
            // citizen's attempt is not counted.
            guard let verifier = try tx.verifier(id: record.verifierID), !verifier.disabled else { return .notFound }
            let verdict = otp.judge(code, &record, now: now)
            guard verdict.counted else { return verdict == .locked ? .locked : .invalid }
            // Looked up whether or not the code matched: the same work either way.
            let citizen = try tx.citizen(mobileHash: record.mobileHash)
            try tx.updateKYCRequest(record)
            guard verdict == .matched else { return .invalid }
            let name = String(decoding: try FieldSeal.open([UInt8](record.nameSealed), key: otp.key, field: "kyc-name", ownerID: record.id), as: UTF8.self)
            return .answer(mobileHash: record.mobileHash, name: name, verifierID: record.verifierID, verifierName: verifier.name, nonce: record.nonce, citizenID: citizen?.id)
        }
        switch outcome {
        case .notFound: throw Problem.notFound
        case .invalid: throw OTPChallenge.invalid
        case .locked: throw OTPChallenge.locked
        case .answer(let mobileHash, let name, let verifierID, let verifierName, let nonce, let citizenID):
            let value = try status.status(mobileHash: mobileHash, name: name, now: now)
            let jws = try status.signedAnswer(status: value, audience: verifierID, requestID: requestID, nonce: nonce, now: now)
            let text = try qr ? status.qrText(statement: jws, now: now) : nil
            try await audit.appendAudit(AuditEntry(at: now, action: "kyc.answered", actor: "verifier:\(verifierID)", citizenID: citizenID,
                                                   detail: ["verifier": verifierName, "request": requestID]))
            return (jws, text)
        }
    }

    /// A request the consent page may still show: unused, unexpired, its verifier enabled.
    func pendingRequest(id: String) throws -> (KYCRequestRecord, VerifierRecord)? {
        guard Validate.localID(id), let (record, verifier) = try store.kycRequest(id: id),
              record.usedAt == nil, record.expiresAt > clock(), !verifier.disabled else { return nil }
        return (record, verifier)
    }
}
