import Crypto
import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// KYC-VS: a verifier asks for a citizen's vaccination status; the citizen's OTP is consent;
/// the verifier gets a signed 0/1/2 and nothing else.
struct KYCController {
    let services: LockerServices
    let status: StatusService

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/kyc-vs/requests", use: ask)
        router.post("/v1/kyc-vs/requests/{id}/confirm", use: confirmByVerifier)
        router.get("/kyc-vs/embed", use: embedPage)
        router.get("/kyc-vs/embed.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache",
                                            HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                     body: .init(byteBuffer: ByteBuffer(string: EmbedPage.script)))
        }
        router.post("/kyc-vs/embed/confirm", use: confirmByCitizen)
    }

    struct AskBody: Decodable {
        let mobile: String
        let name: String
        let purpose: String
        let nonce: String?

        enum CodingKeys: String, CodingKey { case mobile, name, purpose, nonce }

        /// `nonce` is optional but, when present, a string: `"nonce": null` is refused (400), as
        /// the contract says.
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            mobile = try c.decode(String.self, forKey: .mobile)
            name = try c.decode(String.self, forKey: .name)
            purpose = try c.decode(String.self, forKey: .purpose)
            nonce = c.contains(.nonce) ? try c.decode(String.self, forKey: .nonce) : nil
        }
    }
    struct ConfirmBody: Decodable { let otp: String }
    struct EmbedConfirmBody: Decodable { let request: String; let otp: String }

    static func verifier(_ request: Request, services: LockerServices) throws -> VerifierRecord {
        let key = try Authenticate.bearer(request, prefix: "ver")
        let hash = Data(Credential.hash(key))
        let verifier = try services.vault.database.read { db in
            try VerifierRecord.filter(VerifierRecord.Columns.apiKeyHash == hash).fetchOne(db)
        }
        guard let verifier, !verifier.disabled, ConstantTime.equal([UInt8](verifier.apiKeyHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return verifier
    }

    /// The length of digit run a purpose may not hold (so at most 3 digits in a row).
    static let purposeDigitRunLimit = 4

    /// `POST /v1/kyc-vs/requests`: the same 202 whether or not the number is known.
    @Sendable func ask(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let verifier = try Self.verifier(request, services: services)
        let body = try await request.decode(as: AskBody.self, context: context)
        guard Validate.mobile(body.mobile) else { throw Problem.badRequest("mobile must be an E.164 number such as +919876543210") }
        let name = body.name
        guard Validate.displayText(name, max: 200) else {
            throw Problem.badRequest("name must be 1-200 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        let purpose = body.purpose
        guard Validate.displayText(purpose, max: 200) else {
            throw Problem.badRequest("purpose must be 1-200 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        // The purpose is quoted in the consent SMS beside the code; a number in it must not
        // pass for the code.
        guard Validate.longestDigitRun(purpose) < Self.purposeDigitRunLimit else {
            throw Problem.badRequest("purpose must not hold \(Self.purposeDigitRunLimit) or more digits in a row (it is shown beside the consent code); write a reference as, e.g., PNR ending 888")
        }
        if let nonce = body.nonce {
            // Signed into the answer as given: no control or invisible characters (a NUL cut it
            // short in some readers, so two nonces could yield answers that read the same).
            guard Validate.displayText(nonce, max: 128) else {
                throw Problem.badRequest("nonce must be 1-128 characters, without control, format or separator characters")
            }
        }
        let now = services.clock()
        let otp = OTP.generate()
        let id = SecureRandom.identifier()
        let record = KYCRequestRecord(
            id: id, verifierID: verifier.id, mobileHash: services.vault.mobileHash(body.mobile),
            nameSealed: Data(try FieldSeal.seal(Array(name.utf8), key: services.challengeKey, field: "kyc-name", ownerID: id)),
            purpose: purpose, nonce: body.nonce, otpHash: Data(OTP.hash(otp, challengeID: id, key: services.challengeKey)),
            attempts: 0, createdAt: now, expiresAt: now.addingTimeInterval(services.settings.otpLifetime))
        let perHour = services.settings.challengesPerMobilePerHour
        try await services.committer.write { db in
            try HourlyLimit.enforce(db, KYCRequestRecord.self, column: KYCRequestRecord.Columns.mobileHash, value: record.mobileHash, limit: perHour, now: now)
            try record.insert(db)
            let citizen = try CitizenRecord.filter(CitizenRecord.Columns.mobileHash == record.mobileHash).fetchOne(db)
            try AuditLog.append(db, at: now, action: "kyc.requested", actor: "verifier:\(verifier.id)", citizenID: citizen?.id, documentID: nil,
                                detail: ["verifier": verifier.name, "purpose": purpose, "request": id])
        }
        do {
            try await services.sms.send(to: body.mobile, text: SMSText.kycConsent(otp: otp, verifierName: verifier.name, purpose: purpose,
                                                                                 minutes: Int(services.settings.otpLifetime / 60)))
        } catch {
            throw Problem(.serviceUnavailable, "sms-unavailable", "SMS unavailable", detail: "The consent code could not be sent; try again shortly.")
        }
        return try JSONResponse.make(["requestId": id, "expiresAt": JSONResponse.timestamp(record.expiresAt)], status: .accepted)
    }

    /// `POST /v1/kyc-vs/requests/{id}/confirm` (verifier key): another verifier's request is 404.
    @Sendable func confirmByVerifier(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let verifier = try Self.verifier(request, services: services)
        guard let id = context.parameters.get("id"), Validate.localID(id) else { throw Problem.notFound }
        let body = try await request.decode(as: ConfirmBody.self, context: context)
        let jws = try await confirm(requestID: id, otp: body.otp, verifierID: verifier.id)
        return Response(status: .ok, headers: [.contentType: "application/jose", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: jws)))
    }

    /// `POST /kyc-vs/embed/confirm`: the consent page's own confirm. The request id and the OTP
    /// the citizen types are the capability; no verifier key is in the citizen's browser.
    @Sendable func confirmByCitizen(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: EmbedConfirmBody.self, context: context)
        guard Validate.localID(body.request) else { throw Problem.notFound }
        let jws = try await confirm(requestID: body.request, otp: body.otp, verifierID: nil)
        return try JSONResponse.make(["jws": jws])
    }

    enum Outcome: Sendable { case notFound, invalid, locked, answer(mobileHash: Data, name: String, verifierID: String, verifierName: String, nonce: String?, citizenID: String?) }

    func confirm(requestID: String, otp: String, verifierID: String?) async throws -> String {
        guard otp.utf8.count == 6, otp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { throw AuthController.otpInvalid }
        let now = services.clock()
        let services = self.services
        let outcome: Outcome = try await services.committer.write { db in
            guard var record = try KYCRequestRecord.fetchOne(db, key: requestID), verifierID == nil || record.verifierID == verifierID else { return .notFound }
            // A verifier disabled after asking gets nothing: its requests look unknown, and the
            // citizen's attempt is not counted.
            guard let verifier = try VerifierRecord.fetchOne(db, key: record.verifierID), !verifier.disabled else { return .notFound }
            guard record.usedAt == nil, record.expiresAt > now else { return .invalid }
            guard record.attempts < services.settings.otpMaxAttempts else { return .locked }
            record.attempts += 1
            let citizen = try CitizenRecord.filter(CitizenRecord.Columns.mobileHash == record.mobileHash).fetchOne(db)
            guard OTP.matches(otp, challengeID: record.id, stored: [UInt8](record.otpHash), key: services.challengeKey) else {
                try record.update(db)
                return .invalid
            }
            record.usedAt = now
            try record.update(db)
            let name = String(decoding: try FieldSeal.open([UInt8](record.nameSealed), key: services.challengeKey, field: "kyc-name", ownerID: record.id), as: UTF8.self)
            return .answer(mobileHash: record.mobileHash, name: name, verifierID: record.verifierID, verifierName: verifier.name, nonce: record.nonce, citizenID: citizen?.id)
        }
        switch outcome {
        case .notFound: throw Problem.notFound
        case .invalid: throw AuthController.otpInvalid
        case .locked: throw AuthController.otpLocked
        case .answer(let mobileHash, let name, let verifierID, let verifierName, let nonce, let citizenID):
            let value = try status.status(mobileHash: mobileHash, name: name, now: now)
            let jws = try status.signedAnswer(status: value, audience: verifierID, requestID: requestID, nonce: nonce, now: now)
            // The answer is on record before it leaves.
            try await services.committer.write { db in
                _ = try AuditLog.append(db, at: now, action: "kyc.answered", actor: "verifier:\(verifierID)", citizenID: citizenID, documentID: nil,
                                    detail: ["verifier": verifierName, "request": requestID])
            }
            return jws
        }
    }

    /// `GET /kyc-vs/embed?request=…&origin=…`: the consent page a verifier puts in an iframe.
    /// `origin` names the verifier's page that frames it and must be one of its registered
    /// origins (it may be left out when exactly one is registered). That one origin alone may
    /// frame the page (`frame-ancestors`) and receive the answer (`postMessage`'s target), so
    /// the answer reaches the page actually framing it, and only a registered one.
    @Sendable func embedPage(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let id = request.uri.queryParameters["request"].map(String.init) ?? ""
        let found: (KYCRequestRecord, VerifierRecord)? = try {
            guard Validate.localID(id) else { return nil }
            return try services.vault.database.read { db in
                guard let r = try KYCRequestRecord.fetchOne(db, key: id), let v = try VerifierRecord.fetchOne(db, key: r.verifierID) else { return nil }
                return (r, v)
            }
        }()
        guard let (record, verifier) = found, record.usedAt == nil, record.expiresAt > services.clock(), !verifier.disabled else {
            return EmbedPage.response(html: EmbedPage.notFound, frameAncestors: "'none'", status: .notFound)
        }
        let origins = verifier.originList
        let asked = request.uri.queryParameters["origin"].map(String.init)
        let target: String?
        switch (asked, origins.count) {
        case (let asked?, _): target = origins.contains(asked) ? asked : nil
        case (nil, 0): target = ""  // nowhere to embed: the page stands alone and posts no message
        case (nil, 1): target = origins[0]
        case (nil, _): target = nil
        }
        guard let target else {
            return EmbedPage.response(html: EmbedPage.originRefused, frameAncestors: "'none'", status: .badRequest)
        }
        let html = EmbedPage.page(requestID: record.id, verifierName: verifier.name, purpose: record.purpose, targetOrigin: target)
        return EmbedPage.response(html: html, frameAncestors: target.isEmpty ? "'none'" : target, status: .ok)
    }
}

/// `GET /.well-known/jwks.json`: the public keys that verify status answers.
struct JWKSController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/.well-known/jwks.json") { _, _ -> Response in
            let now = services.clock()
            _ = try services.vault.activeSigningKey(now: now)
            let keys = try services.vault.publishedSigningKeys(now: now).map { CompactJWS.jwk(kid: $0.kid, publicKey: [UInt8]($0.publicKey)) }
            return try JSONResponse.make(["keys": keys], headers: [:]).withCacheControl("public, max-age=300")
        }
    }
}

extension Response {
    func withCacheControl(_ value: String) -> Response {
        var copy = self
        copy.headers[.cacheControl] = value
        return copy
    }
}
