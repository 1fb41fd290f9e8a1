import Foundation
import LockerCore
import LockerStore

/// The owner's documents: listing, metadata with claims, and the audited download. Unknown,
/// malformed and other citizens' ids all end in the same 404, after the same indexed lookup.
struct DocumentService: Sendable {
    let store: any DocumentStore
    let directory: any DirectoryStore
    let audit: any AuditStore
    let vault: Vault
    let clock: @Sendable () -> Date

    /// The document with this id if the citizen owns it; 404 otherwise.
    func owned(id: String?, by citizen: CitizenRecord) throws -> DocumentRecord {
        guard let id, Validate.localID(id), let document = try store.ownedDocument(id: id, ownerID: citizen.id) else { throw Problem.notFound }
        return document
    }

    /// The owner's documents, newest first, with each issuer's display name.
    func list(ownerID: String) throws -> (documents: [DocumentRecord], issuerNames: [String: String]) {
        (try store.documents(ownerID: ownerID), try directory.issuerNames())
    }

    /// A document's issuer's display name (its id if the issuer is gone).
    func issuerName(of document: DocumentRecord) throws -> String {
        try directory.issuer(id: document.issuerID)?.name ?? document.issuerID
    }

    /// The issuer's signed metadata, opened with the owner's data key (nil for a document
    /// pushed without it).
    func signedMetadata(_ document: DocumentRecord, owner: CitizenRecord) throws -> [UInt8]? {
        guard let sealed = document.claimsSealed else { return nil }
        let (current, key) = try vault.dataKey(for: document, owner: owner)
        return try FieldSeal.open([UInt8](current.claimsSealed ?? sealed), key: key, field: document.metadataField, ownerID: owner.id)
    }

    /// A document the owner may download now: unrevoked.
    func downloadable(id: String?, by citizen: CitizenRecord) throws -> DocumentRecord {
        let document = try owned(id: id, by: citizen)
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked (by its issuer or an administrator).") }
        return document
    }

    /// The owner's download: `prepare` opens (and for a small document decrypts and verifies)
    /// the document; its trace is durable before the first byte leaves. A document that fails
    /// its check is recorded as a failed attempt, not a download.
    func download<Prepared: Sendable>(_ document: DocumentRecord, session: SessionRecord, owner: CitizenRecord, prepare: () async throws -> Prepared) async throws -> Prepared {
        let now = clock()
        let prepared: Prepared
        do {
            prepared = try await prepare()
        } catch {
            try? await audit.appendAudit(entry("document.download-failed", document, session: session, extra: ["reason": "integrity"], at: now))
            throw error
        }
        try await audit.appendAudit(entry("document.downloaded", document, session: session, at: now))
        return prepared
    }

    /// A large document streamed until a damaged segment: the trace says it was cut.
    func recordCut(_ document: DocumentRecord, session: SessionRecord, bytesSent: Int) async {
        try? await audit.appendAudit(entry("document.download-cut", document, session: session,
                                           extra: ["reason": "integrity", "bytesSent": String(bytesSent)], at: clock()))
    }

    private func entry(_ action: String, _ document: DocumentRecord, session: SessionRecord, extra: [String: String] = [:], at: Date) -> AuditEntry {
        AuditEntry(at: at, action: action, actor: "citizen", citizenID: document.ownerID, documentID: document.id,
                   detail: ["uri": document.uri, "session": session.id].merging(extra) { a, _ in a })
    }
}
