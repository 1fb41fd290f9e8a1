import Crypto
import Foundation
import LockerCore
import LockerStore

/// Access grants, all their rules in one place: an owner shares one document for a while; a
/// third party redeems the token without an account. A redemption's check and spend run in one
/// transaction, so with N uses and any number of racing redemptions exactly N succeed.
struct ShareService: Sendable {
    let store: any ShareStore
    let documents: any DocumentStore
    /// Documents kept by their issuers, which a document-scope grant reaches too.
    let pulls: any PullStore
    let directory: any DirectoryStore
    let vault: Vault
    let status: StatusService
    /// Keys the passcode hashes (the server's challenge key).
    let passcodeKey: SymmetricKey
    let clock: @Sendable () -> Date

    static let maxLifetime = 30 * 86400

    /// A passcode as stored: keyed, bound to its grant.
    func passcodeHash(_ passcode: String, shareID: String) -> Data {
        var message = Array("locker-share-passcode-v1".utf8)
        message += Array(shareID.utf8) + [0] + Array(passcode.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: passcodeKey))
    }

    /// Validates and stores a grant; returns it with its token (never stored, shown once).
    func create(citizen: CitizenRecord, documentID id: String, request: ShareRequest) async throws -> (ShareRecord, String) {
        let label = request.label
        guard Validate.displayText(label, max: 100) else {
            throw Problem.badRequest("label must be 1-100 characters, not blank, without control, format (bidi) or line-separator characters")
        }
        let lifetime = request.expiresInSeconds ?? 86400
        guard (60...Self.maxLifetime).contains(lifetime) else { throw Problem.badRequest("expiresInSeconds must be 60-\(Self.maxLifetime) (at most 30 days)") }
        let maxUses = request.maxUses ?? 1
        guard (1...1000).contains(maxUses) else { throw Problem.badRequest("maxUses must be 1-1000") }
        guard let scope = ShareRecord.Scope(rawValue: request.scope ?? "document") else { throw Problem.badRequest("scope must be document or status") }
        if let passcode = request.passcode { guard (4...64).contains(passcode.unicodeScalars.count) else { throw Problem.badRequest("passcode must be 4-64 characters") } }
        let documentID: String
        if let document = try documents.ownedDocument(id: id, ownerID: citizen.id) {
            guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked; it cannot be shared.") }
            documentID = document.id
        } else if let pulled = try pulls.pulledDocument(id: id, ownerID: citizen.id) {
            guard pulled.status == .issued else { throw Problem(.conflict, "pending", "Not ready yet", detail: "The issuer is still preparing this document.") }
            guard scope == .document else { throw Problem.badRequest("A document kept by its issuer can be shared only whole (scope document): Locker holds no claims of it to state.") }
            documentID = pulled.id
        } else {
            throw Problem.notFound
        }
        let now = clock()
        let token = Credential.make(prefix: "shr")
        let shareID = SecureRandom.identifier()
        let share = ShareRecord(id: shareID, tokenHash: Data(Credential.hash(token)), documentID: documentID, ownerID: citizen.id, scope: scope,
                                label: label, maxUses: maxUses, passcodeHash: request.passcode.map { passcodeHash($0, shareID: shareID) },
                                createdAt: now, expiresAt: now.addingTimeInterval(TimeInterval(lifetime)))
        try await store.createShare(share, audit: AuditEntry(at: now, action: "share.created", actor: "citizen", citizenID: citizen.id, documentID: documentID,
                                                            detail: ["share": shareID, "label": label, "scope": scope.rawValue, "maxUses": String(maxUses)]))
        return (share, token)
    }

    /// The owner's grants, newest first.
    func list(ownerID: String) throws -> [ShareRecord] {
        try store.shares(ownerID: ownerID)
    }

    /// Withdraws one of the citizen's grants; another citizen's is 404. Withdrawing twice is
    /// one withdrawal.
    func revoke(citizen: CitizenRecord, id: String) async throws {
        let now = clock()
        let found: Bool = try await store.inShareTransaction { tx in
            guard var share = try tx.share(id: id), share.ownerID == citizen.id else { return false }
            if share.revokedAt == nil {
                share.revokedAt = now
                try tx.update(share)
                try tx.appendAudit(AuditEntry(at: now, action: "share.revoked", actor: "citizen", citizenID: citizen.id, documentID: share.documentID,
                                              detail: ["share": share.id, "label": share.label]))
            }
            return true
        }
        guard found else { throw Problem.notFound }
    }

    /// The grant behind a link token with its document and issuer's name, if it can still be
    /// redeemed; nil for unknown, expired, withdrawn, used-up and revoked alike. Spends nothing.
    /// A live grant's share, its document's type and issuer name (for the link page).
    func liveLink(token: String) throws -> (ShareRecord, docType: String, issuerName: String)? {
        guard Self.plausible(token) else { return nil }
        let hash = Data(Credential.hash(token))
        if let (share, document, issuer) = try store.link(tokenHash: hash) {
            return share.state(at: clock()) == .active && document.revokedAt == nil ? (share, document.docType, issuer) : nil
        }
        guard let (share, pulled, issuer) = try store.pulledLink(tokenHash: hash), share.state(at: clock()) == .active, pulled.status == .issued else { return nil }
        return (share, pulled.docType, issuer)
    }

    /// Whether a string could be a share token at all (checked before any hashing or lookup).
    static func plausible(_ token: String) -> Bool {
        token.hasPrefix("lk_shr_") && token.utf8.count < 100
    }

    /// The first step of a redemption, in one transaction: finds the grant, checks it and the
    /// passcode (counting a wrong one towards the lockout) and, for a status answer, spends
    /// the use and records it. A document's use is spent by `deliverDocument`, after it verifies.
    func redeem(token: String, passcode: String?, client: String, userAgent: String) async throws -> ShareRedemption {
        guard Self.plausible(token) else { return .notFound }
        let tokenHash = Data(Credential.hash(token))
        let now = clock()
        // Shown to the owner in their activity: no bidi or line-separator tricks from a client.
        let agent = String(String.UnicodeScalarView(userAgent.unicodeScalars.prefix(200).map { Validate.displaySafe($0) ? $0 : "\u{FFFD}" }))
        let service = self
        return try await store.inShareTransaction { tx in
            let found: (ShareRecord, DocumentRecord?, PulledDocumentRecord?, CitizenRecord)
            if let (share, document, owner) = try tx.grant(tokenHash: tokenHash) {
                guard document.revokedAt == nil else { return .notFound }
                found = (share, document, nil, owner)
            } else if let (share, pulled, owner) = try tx.pulledGrant(tokenHash: tokenHash), pulled.status == .issued {
                found = (share, nil, pulled, owner)
            } else {
                return .notFound
            }
            let (share, document, pulled, owner) = found
            guard share.state(at: now) == .active else { return .notFound }
            let grant = ShareGrant(share: share, document: document, pulled: pulled, owner: owner, at: now,
                                   detail: ["share": share.id, "label": share.label, "client": client, "userAgent": agent, "scope": share.scope.rawValue]
                                       // A document kept by its issuer: the trace says it was fetched from there.
                                       .merging(pulled.map { ["pulled": "true", "uri": $0.uri ?? ""] } ?? [:]) { a, _ in a })
            if let expected = share.passcodeHash,
               !ConstantTime.equal([UInt8](passcode.map { service.passcodeHash($0, shareID: share.id) } ?? Data()), [UInt8](expected)) {
                var current = share
                current.wrongPasscodes += 1
                try tx.update(current)
                let reason = current.wrongPasscodes >= ShareRecord.passcodeLockout ? "wrong passcode; grant locked" : "wrong passcode"
                try tx.appendAudit(grant.entry("share.refused", extra: ["reason": reason]))
                return .wrongPasscode(remaining: ShareRecord.passcodeLockout - current.wrongPasscodes)
            }
            guard share.scope == .status else { return .document(grant) }
            guard try tx.spendShareUse(id: share.id, now: now) else { return .notFound }
            try tx.appendAudit(grant.entry("share.redeemed", extra: ["use": "one of \(share.maxUses)"]))
            return .status(grant)
        }
    }

    /// A document-scope redemption: `verify` opens (and for a small document decrypts and
    /// checks) the document; only then is the use spent, so a damaged copy spends nothing.
    func deliverDocument<Prepared: Sendable>(_ grant: ShareGrant, verify: () async throws -> Prepared) async throws -> Prepared {
        let prepared: Prepared
        do {
            prepared = try await verify()
        } catch {
            try? await recordFailure(grant, action: "share.failed", refund: false)
            throw error
        }
        let entry = grant.entry("share.redeemed", extra: ["use": "one of \(grant.share.maxUses)"])
        let spent: Bool = try await store.inShareTransaction { [grant] tx in
            guard try tx.spendShareUse(id: grant.share.id, now: grant.at) else { return false }
            try tx.appendAudit(entry)
            return true
        }
        guard spent else { throw Problem.notFound }
        return prepared
    }

    /// A streamed document stopped at a damaged segment: recorded, and the use given back.
    func recordCut(_ grant: ShareGrant, bytesSent: Int) async {
        try? await recordFailure(grant, action: "share.cut", refund: true, extra: ["bytesSent": String(bytesSent)], at: clock())
    }

    /// The signed statement for a status-scope redemption whose use is spent, and its status QR
    /// text when asked for (`StatusQR`); if either cannot be made, the failure is recorded and
    /// the use given back.
    func statement(_ grant: ShareGrant, qr: Bool = false) async throws -> (statement: String, qr: String?) {
        do {
            let statement = try statusStatement(grant)
            let text = try qr ? status.qrText(statement: statement, now: grant.at) : nil
            return (statement, text)
        } catch {
            try? await recordFailure(grant, action: "share.failed", refund: true)
            throw error
        }
    }

    /// Records a redemption that delivered nothing (or was cut): the audit says what happened,
    /// and a use already spent on it is given back.
    func recordFailure(_ grant: ShareGrant, action: String, refund: Bool, extra: [String: String] = [:], at: Date? = nil) async throws {
        let entry = grant.entry(action, extra: extra.merging(["reason": "integrity"]) { a, _ in a }, at: at)
        try await store.inShareTransaction { [grant] tx in
            if refund { try tx.refundShareUse(id: grant.share.id) }
            try tx.appendAudit(entry)
        }
    }

    /// A signed statement about the shared certificate: issuer, type, issue date, whether it is
    /// valid, and for valid vaccination certificates the 0/1/2 status. No name, no content.
    /// Valid means what a status answer counts: unrevoked (checked before the use was spent),
    /// from an enabled issuer registered for this document type, not dated in the future.
    func statusStatement(_ grant: ShareGrant) throws -> String {
        guard let document = grant.document else { throw Problem.notFound }  // a pulled document is shared only whole
        let (owner, now) = (grant.owner, grant.at)
        let issuer = try directory.issuer(id: document.issuerID)
        let valid = issuer?.vouches(for: document.docType) == true && document.issuedOn <= Validate.latestIssueDate(now: now)
        var facts: [(String, String)] = [
            ("docType", CompactJWS.jsonString(document.docType)), ("issuedOn", CompactJWS.jsonString(document.issuedOn)),
            ("issuer", CompactJWS.jsonString(document.issuerID)), ("valid", valid ? "true" : "false"),
        ]
        if valid, document.docType == "VACER", let sealed = document.holderSealed {
            let (current, key) = try vault.dataKey(for: document, owner: owner)
            let bytes = try FieldSeal.open([UInt8](current.holderSealed ?? sealed), key: key, field: HolderFacts.field(document), ownerID: owner.id)
            if let first = bytes.first { facts.append(("status", String(UnicodeScalar(first)))) }
        }
        return try status.signedStatement(subjectID: grant.share.id, facts: facts, now: now)
    }
}

extension ShareGrant {
    /// An audit entry about this redemption with `extra` details beside the usual ones, dated
    /// `time` (a cut noticed later) or the redemption's own instant.
    func entry(_ action: String, extra: [String: String], at time: Date? = nil) -> AuditEntry {
        AuditEntry(at: time ?? at, action: action, actor: "grant", citizenID: share.ownerID, documentID: share.documentID,
                   detail: detail.merging(extra) { a, _ in a })
    }
}
