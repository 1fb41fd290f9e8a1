import Crypto
import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// Access grants: an owner shares one document for a while; a third party redeems the token
/// without an account. Spending a use is atomic (it happens inside the single serialized
/// writer), so with N uses and any number of racing redemptions exactly N succeed.
struct SharesController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/documents/{id}/shares", use: create)
        router.get("/v1/shares", use: list)
        router.delete("/v1/shares/{shareId}", use: revoke)
        router.post("/v1/shares/redeem", use: redeem)
        router.get("/s/{token}", use: linkPage)
    }

    struct CreateBody: Decodable {
        let label: String
        let expiresInSeconds: Int?
        let maxUses: Int?
        let scope: String?
        let passcode: String?
    }

    struct RedeemBody: Decodable {
        var token: String
        var passcode: String?
    }

    static let maxLifetime = 30 * 86400

    func passcodeHash(_ passcode: String, shareID: String) -> Data {
        var message = Array("locker-share-passcode-v1".utf8)
        message += Array(shareID.utf8) + [0] + Array(passcode.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: services.challengeKey))
    }

    func object(_ share: ShareRecord, now: Date) -> [String: Any] {
        ["id": share.id, "documentId": share.documentID, "label": share.label, "scope": share.scope.rawValue, "maxUses": share.maxUses,
         "usesSpent": share.usesSpent, "expiresAt": JSONResponse.timestamp(share.expiresAt), "createdAt": JSONResponse.timestamp(share.createdAt),
         "state": share.state(at: now).rawValue, "hasPasscode": share.passcodeHash != nil]
    }

    /// `POST /v1/documents/{id}/shares`: the token is in this answer and nowhere else, ever.
    @Sendable func create(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        guard let id = context.parameters.get("id"), Validate.localID(id) else { throw Problem.notFound }
        let body = try await request.decode(as: CreateBody.self, context: context)
        let (share, token) = try await createShare(citizen: citizen, documentID: id, body: body)
        var answer = object(share, now: services.clock())
        answer["token"] = token
        answer["link"] = "\(services.settings.publicURL)/s/\(token)"
        return try JSONResponse.make(answer, status: .created)
    }

    /// Validates and stores a grant; returns it with its token (never stored, shown once).
    func createShare(citizen: CitizenRecord, documentID id: String, body: CreateBody) async throws -> (ShareRecord, String) {
        let label = body.label
        guard Validate.displayText(label, max: 100) else {
            throw Problem.badRequest("label must be 1-100 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        let lifetime = body.expiresInSeconds ?? 86400
        guard (60...Self.maxLifetime).contains(lifetime) else { throw Problem.badRequest("expiresInSeconds must be 60-\(Self.maxLifetime) (at most 30 days)") }
        let maxUses = body.maxUses ?? 1
        guard (1...1000).contains(maxUses) else { throw Problem.badRequest("maxUses must be 1-1000") }
        guard let scope = ShareRecord.Scope(rawValue: body.scope ?? "document") else { throw Problem.badRequest("scope must be document or status") }
        if let passcode = body.passcode { guard (4...64).contains(passcode.unicodeScalars.count) else { throw Problem.badRequest("passcode must be 4-64 characters") } }
        let ownerID = citizen.id
        let document = try services.vault.database.read { db in try HotQueries.ownedDocument(db, id: id, ownerID: ownerID) }
        guard let document else { throw Problem.notFound }
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked; it cannot be shared.") }
        let now = services.clock()
        let token = Credential.make(prefix: "shr")
        let shareID = SecureRandom.identifier()
        let share = ShareRecord(id: shareID, tokenHash: Data(Credential.hash(token)), documentID: document.id, ownerID: citizen.id, scope: scope,
                                label: label, maxUses: maxUses, passcodeHash: body.passcode.map { passcodeHash($0, shareID: shareID) },
                                createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)))
        try await services.committer.write { db in
            try share.insert(db)
            try AuditLog.append(db, at: now, action: "share.created", actor: "citizen", citizenID: citizen.id, documentID: document.id,
                                detail: ["share": shareID, "label": label, "scope": scope.rawValue, "maxUses": String(maxUses)])
        }
        return (share, token)
    }

    /// `GET /v1/shares`: the owner's grants with uses spent and state.
    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let ownerID = citizen.id
        let shares = try services.vault.database.read { db in
            try ShareRecord.filter(ShareRecord.Columns.ownerID == ownerID).order(ShareRecord.Columns.createdAt.desc).fetchAll(db)
        }
        let now = services.clock()
        return try JSONResponse.make(["shares": shares.map { object($0, now: now) }])
    }

    /// `DELETE /v1/shares/{shareId}`: stops working at once. Another citizen's grant is 404.
    @Sendable func revoke(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        guard let id = context.parameters.get("shareId"), Validate.localID(id) else { throw Problem.notFound }
        try await revokeShare(citizen: citizen, id: id)
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    /// Withdraws one of the citizen's grants; another citizen's is 404.
    func revokeShare(citizen: CitizenRecord, id: String) async throws {
        let now = services.clock()
        try await services.committer.write { db in
            guard var share = try ShareRecord.fetchOne(db, key: id), share.ownerID == citizen.id else { throw Problem.notFound }
            if share.revokedAt == nil {
                share.revokedAt = now
                try share.update(db)
                try AuditLog.append(db, at: now, action: "share.revoked", actor: "citizen", citizenID: citizen.id, documentID: share.documentID,
                                    detail: ["share": share.id, "label": share.label])
            }
        }
    }

    enum Outcome: Sendable {
        case notFound
        case wrongPasscode(remaining: Int)
        case granted(ShareRecord, DocumentRecord, CitizenRecord)
    }

    /// `POST /v1/shares/redeem`: token (and passcode) in the body, JSON or a form post from the
    /// link page. Expired, revoked, used-up, locked and unknown tokens all get the same 404.
    @Sendable func redeem(_ request: Request, context: LockerRequestContext) async throws -> Response {
        var request = request
        let body: RedeemBody
        if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let buffer = try await request.collectBody(upTo: context.maxUploadSize)
            // Lenient on purpose: the first token and passcode count, other fields are ignored.
            var fields = [String: String]()
            for (key, value) in FormBody.pairs(String(buffer: buffer)) where ["token", "passcode"].contains(key) && fields[key] == nil {
                fields[key] = value
            }
            guard let token = fields["token"] else { throw Problem.badRequest("The form must hold token (and passcode, if the grant has one).") }
            body = RedeemBody(token: token, passcode: fields["passcode"])
        } else {
            body = try await request.decode(as: RedeemBody.self, context: context)
        }
        // The link page's own form (a browser, Accept: text/html) gets pages; API clients problems.
        let browser = SharePage.wantsHTML(request)
        guard body.token.hasPrefix("lk_shr_"), body.token.utf8.count < 100 else {
            if browser { return SharePage.gone() }
            throw Problem.notFound
        }
        let tokenHash = Data(Credential.hash(body.token))
        let now = services.clock()
        let client = context.clientAddress
        // Shown to the owner in their activity: no bidi or line-separator tricks from a client.
        let agent = String(String.UnicodeScalarView((request.headers[.userAgent] ?? "").unicodeScalars.prefix(200)
            .map { Validate.displaySafe($0) ? $0 : "\u{FFFD}" }))
        let passcodeGiven = body.passcode
        // What every audit entry of this redemption says of the grant and the client.
        let detailFor: @Sendable (ShareRecord) -> [String: String] = { share in
            ["share": share.id, "label": share.label, "client": client, "userAgent": agent, "scope": share.scope.rawValue]
        }
        // One job on the serialized writer finds the grant, checks it and, for a status answer,
        // spends the use and records it: nothing can change between the check and the spend.
        // A document is verified before its use is spent (below), so a damaged copy spends nothing.
        let outcome: Outcome = try await services.committer.write { db in
            guard let (share, document, owner) = try HotQueries.share(db, tokenHash: tokenHash), share.state(at: now) == .active,
                  document.revokedAt == nil else { return .notFound }
            var detail = detailFor(share)
            if let expected = share.passcodeHash,
               !ConstantTime.equal([UInt8](passcodeGiven.map { passcodeHash($0, shareID: share.id) } ?? Data()), [UInt8](expected)) {
                var current = share
                current.wrongPasscodes += 1
                try current.update(db)
                detail["reason"] = current.wrongPasscodes >= ShareRecord.passcodeLockout ? "wrong passcode; grant locked" : "wrong passcode"
                try AuditLog.append(db, at: now, action: "share.refused", actor: "grant", citizenID: share.ownerID, documentID: share.documentID, detail: detail)
                return .wrongPasscode(remaining: ShareRecord.passcodeLockout - current.wrongPasscodes)
            }
            if share.scope == .status {
                guard try ShareRecord.spendUse(db, id: share.id, now: now) else { return .notFound }
                detail["use"] = "one of \(share.maxUses)"
                try AuditLog.append(db, at: now, action: "share.redeemed", actor: "grant", citizenID: share.ownerID, documentID: share.documentID, detail: detail)
            }
            return .granted(share, document, owner)
        }
        switch outcome {
        case .notFound:
            if browser { return SharePage.gone() }
            throw Problem.notFound
        case .wrongPasscode(let remaining):
            if remaining <= 0 {
                if browser { return SharePage.gone() }
                throw Problem.notFound
            }
            let detail = "The passcode is wrong; \(Plural.count(remaining, "try", "tries")) left before the link locks."
            if browser, let (share, document, issuer) = try liveLink(token: body.token) {
                return SharePage.page(token: body.token, share: share, document: document, issuerName: issuer,
                                      timeZone: services.settings.timeZone, error: detail, status: .forbidden)
            }
            throw Problem(.forbidden, "passcode-invalid", "Wrong passcode", detail: detail)
        case .granted(let share, let document, let owner):
            let detail = detailFor(share)
            switch share.scope {
            case .document:
                let prepared: ContentResponse.Prepared
                do {
                    prepared = try ContentResponse.prepare(reader: services.vault.openDocument(document, owner: owner), document: document, logger: context.logger)
                } catch {
                    try? await recordFailure(share: share, detail: detail, action: "share.failed", refund: false, now: now)
                    throw error
                }
                let spent: Bool = try await services.committer.write { db in
                    guard try ShareRecord.spendUse(db, id: share.id, now: now) else { return false }
                    try AuditLog.append(db, at: now, action: "share.redeemed", actor: "grant", citizenID: share.ownerID, documentID: share.documentID,
                                        detail: detail.merging(["use": "one of \(share.maxUses)"]) { a, _ in a })
                    return true
                }
                guard spent else { throw Problem.notFound }
                return ContentResponse.make(prepared, document: document, logger: context.logger) { [self] sent in
                    try? await recordFailure(share: share, detail: detail.merging(["bytesSent": String(sent)]) { a, _ in a },
                                             action: "share.cut", refund: true, now: services.clock())
                }
            case .status:
                do {
                    let statement = try statusStatement(share: share, document: document, owner: owner, now: now)
                    return try JSONResponse.make(["statement": statement])
                } catch {
                    try? await recordFailure(share: share, detail: detail, action: "share.failed", refund: true, now: now)
                    throw error
                }
            }
        }
    }

    /// Records a redemption that delivered nothing (or was cut): the audit says what happened,
    /// and a use already spent on it is given back.
    func recordFailure(share: ShareRecord, detail: [String: String], action: String, refund: Bool, now: Date) async throws {
        try await services.committer.write { db in
            if refund { try ShareRecord.refundUse(db, id: share.id) }
            try AuditLog.append(db, at: now, action: action, actor: "grant", citizenID: share.ownerID, documentID: share.documentID,
                                detail: detail.merging(["reason": "integrity"]) { a, _ in a })
        }
    }

    /// A signed statement about the shared certificate: issuer, type, issue date, whether it is
    /// valid, and for valid vaccination certificates the 0/1/2 status. No name, no content.
    /// Valid means what a status answer counts: unrevoked (checked before the use was spent),
    /// from an enabled issuer registered for this document type, not dated in the future.
    func statusStatement(share: ShareRecord, document: DocumentRecord, owner: CitizenRecord, now: Date) throws -> String {
        let issuer = try services.vault.database.read { db in try HotQueries.issuer(db, id: document.issuerID) }
        let valid = issuer?.vouches(for: document.docType) == true && document.issuedOn <= Validate.latestIssueDate(now: now)
        var facts: [(String, String)] = [
            ("docType", CompactJWS.jsonString(document.docType)), ("issuedOn", CompactJWS.jsonString(document.issuedOn)),
            ("issuer", CompactJWS.jsonString(document.issuerID)), ("valid", valid ? "true" : "false"),
        ]
        if valid, document.docType == "VACER", let sealed = document.holderSealed {
            let (current, key) = try services.vault.dataKey(for: document, owner: owner)
            let bytes = try FieldSeal.open([UInt8](current.holderSealed ?? sealed), key: key, field: HolderFacts.field(document), ownerID: owner.id)
            if let first = bytes.first { facts.append(("status", String(UnicodeScalar(first)))) }
        }
        return try services.status.signedStatement(subjectID: share.id, facts: facts, now: now)
    }

    /// `GET /s/{token}`: a page naming what is shared, with a button that redeems by POST.
    /// Opening it (as a chat app's link preview does) spends nothing.
    @Sendable func linkPage(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let (share, document, issuer) = try liveLink(token: token) else { return SharePage.gone() }
        return SharePage.page(token: token, share: share, document: document, issuerName: issuer, timeZone: services.settings.timeZone)
    }

    /// The grant behind a link token with its document and issuer's name, if it can still be
    /// redeemed; nil for unknown, expired, withdrawn, used-up and revoked alike.
    func liveLink(token: String) throws -> (ShareRecord, DocumentRecord, String)? {
        guard token.hasPrefix("lk_shr_"), token.utf8.count < 100 else { return nil }
        let hash = Data(Credential.hash(token))
        let now = services.clock()
        return try services.vault.database.read { db in
            guard let share = try ShareRecord.filter(ShareRecord.Columns.tokenHash == hash).fetchOne(db), share.state(at: now) == .active,
                  let document = try DocumentRecord.fetchOne(db, key: share.documentID), document.revokedAt == nil else { return nil }
            let issuer = try IssuerRecord.fetchOne(db, key: document.issuerID)?.name ?? document.issuerID
            return (share, document, issuer)
        }
    }
}
