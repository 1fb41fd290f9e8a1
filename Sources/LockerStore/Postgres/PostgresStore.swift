import Foundation
import LockerCore
import PostgresNIO

/// The adapter for deployments of several nodes: every port on one PostgreSQL database that all
/// nodes share. Durable writes go through this node's `PostgresCommitter` (one commit per batch
/// of requests); reads borrow a pooled connection. What a node caches (sessions, the key ring,
/// signing keys) it drops when another node announces a change (`PostgresNotices`).
public final class PostgresStore: Sendable {
    public let pool: PostgresPool
    public let committer: PostgresCommitter
    public let notices: PostgresNotices
    let blobs: PostgresBlobStore

    /// Connects, migrates the schema (once, whichever node gets there first) and starts
    /// listening for the other nodes' changes. Throws `PostgresUnavailable` in one line when
    /// PostgreSQL cannot be reached.
    /// `writers` group-commit threads run batches side by side (`LOCKER_PG_WRITERS`, 1-64,
    /// default 1). More than one lets a push-heavy node overlap batches (+10 % measured), but two
    /// batches that lock the same rows in different orders deadlock until PostgreSQL breaks it
    /// (`deadlock_timeout`, 1 s by default; the batch is then rerun job by job): redemptions of
    /// the same grants measured p99 ≈ 1 s with 4 writers. The audit head row orders the commits.
    /// `blobFiles`: the object store for blobs above the inline limit (nil: all in the database).
    public init(url: PostgresURL, writers: String? = ProcessInfo.processInfo.environment["LOCKER_PG_WRITERS"], blobFiles: (any BlobFiles)? = nil) throws {
        var writerCount = 1
        if let writers, !writers.isEmpty {
            guard let n = Int(writers), (1...64).contains(n) else { throw StoreError("LOCKER_PG_WRITERS must be a number from 1 to 64") }
            writerCount = n
        }
        let pool = PostgresPool(url: url)
        try pool.check()
        try PostgresSchema.migrate(pool)
        self.pool = pool
        self.committer = PostgresCommitter(pool: pool, writers: writerCount)
        self.notices = try PostgresNotices(pool: pool)
        self.blobs = PostgresBlobStore(pool: pool, files: blobFiles)
    }

    func read<T>(_ body: (PGConnection) throws -> T) throws -> T { try pool.withConnection(body) }
}

extension PostgresStore: AuditStore {
    public func appendAudit(_ entry: AuditEntry) async throws {
        try await committer.write { tx in try tx.appendAudit(entry) }
    }

    public func events(citizenID: String, limit: Int, before: Int64?) throws -> [AuditRecord] {
        try read { c in
            try c.query("SELECT * FROM auditLog WHERE citizenID = \(citizenID) AND seq < \(before ?? Int64.max) ORDER BY seq DESC LIMIT \(limit)")
                .map { try $0.record() }
        }
    }
}

extension PostgresStore: DirectoryStore {
    public func issuer(id: String) throws -> IssuerRecord? {
        try read { c in try c.query("SELECT * FROM issuers WHERE id = \(id)").first?.record() }
    }

    public func issuer(apiKeyHash: Data) throws -> IssuerRecord? {
        try read { c in try c.query("SELECT * FROM issuers WHERE apiKeyHash = \(apiKeyHash)").first?.record() }
    }

    public func issuerNames() throws -> [String: String] {
        try read { c in
            Dictionary(try c.query("SELECT id, name FROM issuers").map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) },
                       uniquingKeysWith: { a, _ in a })
        }
    }

    public func verifier(apiKeyHash: Data) throws -> VerifierRecord? {
        try read { c in try c.query("SELECT * FROM verifiers WHERE apiKeyHash = \(apiKeyHash)").first?.record() }
    }

    public func verifier(id: String) throws -> VerifierRecord? {
        try read { c in try c.query("SELECT * FROM verifiers WHERE id = \(id)").first?.record() }
    }
}

extension PostgresStore: DocumentStore {
    public func ownedDocument(id: String, ownerID: String) throws -> DocumentRecord? {
        try read { c in try c.query("SELECT * FROM documents WHERE id = \(id) AND ownerID = \(ownerID)").first?.record() }
    }

    public func ownedDocument(uri: String, ownerID: String) throws -> DocumentRecord? {
        try read { c in try c.query("SELECT * FROM documents WHERE uri = \(uri) AND ownerID = \(ownerID)").first?.record() }
    }

    public func documents(ownerID: String) throws -> [DocumentRecord] {
        try read { c in try c.query("SELECT * FROM documents WHERE ownerID = \(ownerID) ORDER BY createdAt DESC").map { try $0.record() } }
    }

    public func revokedDocumentIDs(docType: String) throws -> [String] {
        try read { c in
            try c.query("SELECT id FROM documents WHERE docType = \(docType) AND revokedAt IS NOT NULL ORDER BY id").map { try $0.decode(0, as: String.self) }
        }
    }
}

extension PostgresStore: StatusStore {
    public func vaccinationCertificates(mobileHash: Data, issuedNoLaterThan: String) throws -> (CitizenRecord, [DocumentRecord])? {
        try read { c in
            guard let citizen: CitizenRecord = try c.query("SELECT * FROM citizens WHERE mobileHash = \(mobileHash)").first?.record() else { return nil }
            let documents: [DocumentRecord] = try c.query(PostgresQuery(unsafeSQL: """
                SELECT d.* FROM documents d JOIN issuers i ON i.id = d.issuerID
                WHERE d.ownerID = $1 AND d.docType = 'VACER' AND d.revokedAt IS NULL AND d.issuedOn <= $2 AND \(PGSelect.issuerVouches)
                ORDER BY d.issuedOn DESC, d.createdAt DESC
                """, binds: Self.binds(citizen.id, issuedNoLaterThan))).map { try $0.record() }
            return (citizen, documents)
        }
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var b = PostgresBindings(capacity: values.count)
        for v in values { b.append(v) }  // String appends cannot fail
        return b
    }
}

extension PostgresStore: SignInStore {
    public func session(tokenHash: Data) throws -> (SessionRecord, CitizenRecord)? {
        try read { c in
            guard let row = try c.query(PostgresQuery(unsafeSQL: """
                SELECT \(PGSelect.session), \(PGSelect.citizen) FROM sessions se JOIN citizens c ON c.id = se.citizenID WHERE se.tokenHash = $1
                """, binds: try { var b = PostgresBindings(); try b.append(tokenHash); return b }())).first else { return nil }
            return (try row.record(prefix: "se"), try row.record(prefix: "c"))
        }
    }

    public func kycRequest(id: String) throws -> (KYCRequestRecord, VerifierRecord)? {
        try read { c in
            guard let request: KYCRequestRecord = try c.query("SELECT * FROM kycRequests WHERE id = \(id)").first?.record(),
                  let verifier: VerifierRecord = try c.query("SELECT * FROM verifiers WHERE id = \(request.verifierID)").first?.record() else { return nil }
            return (request, verifier)
        }
    }

    public func inSignInTransaction<T: Sendable>(_ work: @escaping @Sendable (any SignInTransaction) throws -> T) async throws -> T {
        try await committer.write { tx in try work(tx) }
    }
}

extension PostgresStore: ShareStore {
    public func createShare(_ share: ShareRecord, audit: AuditEntry) async throws {
        try await committer.write { tx in
            try tx.connection.execute(PGColumns.insert(share, into: "shares"))
            try tx.appendAudit(audit)
        }
    }

    public func shares(ownerID: String) throws -> [ShareRecord] {
        try read { c in try c.query("SELECT * FROM shares WHERE ownerID = \(ownerID) ORDER BY createdAt DESC").map { try $0.record() } }
    }

    public func link(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, issuerName: String)? {
        try read { c in
            guard let share: ShareRecord = try c.query("SELECT * FROM shares WHERE tokenHash = \(tokenHash)").first?.record(),
                  let document: DocumentRecord = try c.query("SELECT * FROM documents WHERE id = \(share.documentID)").first?.record() else { return nil }
            let name = try c.query("SELECT name FROM issuers WHERE id = \(document.issuerID)").first?.decode(0, as: String.self)
            return (share, document, name ?? document.issuerID)
        }
    }

    public func pulledLink(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, issuerName: String)? {
        try read { c in
            guard let share: ShareRecord = try c.query("SELECT * FROM shares WHERE tokenHash = \(tokenHash)").first?.record(),
                  let pulled: PulledDocumentRecord = try c.query("SELECT * FROM pulledDocuments WHERE id = \(share.documentID)").first?.record() else { return nil }
            let name = try c.query("SELECT name FROM pullIssuers WHERE id = \(pulled.issuerID)").first?.decode(0, as: String.self)
            return (share, pulled, name ?? pulled.issuerID)
        }
    }

    public func inShareTransaction<T: Sendable>(_ work: @escaping @Sendable (any ShareTransaction) throws -> T) async throws -> T {
        try await committer.write { tx in try work(tx) }
    }
}

extension PostgresStore: PushStore {
    public func citizenAndDocument(mobileHash: Data, uri: String) throws -> (citizen: CitizenRecord?, document: DocumentRecord?) {
        try read { c in
            (try c.query("SELECT * FROM citizens WHERE mobileHash = \(mobileHash)").first?.record(),
             try c.query("SELECT * FROM documents WHERE uri = \(uri)").first?.record())
        }
    }

    public func storeDocument(_ document: DocumentRecord, newCitizen: CitizenRecord?, inlineBlob: Data?, replacedBlobID: String?, audit: AuditEntry) async throws {
        guard inlineBlob != nil || blobs.files != nil else { throw StoreError("a document stored in PostgreSQL must arrive whole (its sealed bytes were not kept)") }
        do {
            try await save(document, newCitizen: newCitizen, inlineBlob: inlineBlob, replacedBlobID: replacedBlobID, audit: audit)
        } catch {
            // The row never committed: an object already PUT for it is removed (else the sweep takes it).
            if inlineBlob == nil, let files = blobs.files { files.removeUnreferenced(document.blobID) }
            throw error
        }
        // The replaced version's rows went with the commit; its object (if it had one) goes now.
        if let replacedBlobID, let files = blobs.files { files.removeUnreferenced(replacedBlobID) }
    }

    private func save(_ document: DocumentRecord, newCitizen: CitizenRecord?, inlineBlob: Data?, replacedBlobID: String?, audit: AuditEntry) async throws {
        try await committer.write { tx in
            let c = tx.connection
            if let newCitizen {
                // Another node may have created this citizen meanwhile: the unique mobile hash decides.
                let inserted = try c.execute(PGColumns.insert(newCitizen, into: "citizens", suffix: "ON CONFLICT (mobileHash) DO NOTHING"))
                if inserted == 0 {
                    let stored = try c.query("SELECT id FROM citizens WHERE mobileHash = \(newCitizen.mobileHash)").first?.decode(0, as: String.self)
                    guard stored == newCitizen.id else { throw PushConflict.citizenChanged }
                }
            }
            // The owner's row is locked until commit, so a rekey cannot slip in between.
            let dekVersion = try c.query("SELECT dekVersion FROM citizens WHERE id = \(document.ownerID) FOR SHARE").first?.decode(0, as: Int.self)
            guard dekVersion == document.dekVersion else { throw PushConflict.keysChanged }
            let current: DocumentRecord? = try c.query("SELECT * FROM documents WHERE uri = \(document.uri) FOR UPDATE").first?.record()
            guard (current?.version ?? 0) == document.version - 1, current?.revokedAt == nil else { throw PushConflict.documentChanged }
            if current == nil {
                // Two first versions racing on two nodes: the unique URI lets one in.
                guard try c.execute(PGColumns.insert(document, into: "documents", suffix: "ON CONFLICT (uri) DO NOTHING")) == 1 else {
                    throw PushConflict.documentChanged
                }
            } else {
                try c.execute(PGColumns.update(document, in: "documents", key: "id"))
            }
            if let inlineBlob { try PostgresBlobStore.insert(c, id: document.blobID, bytes: inlineBlob) }
            if let replacedBlobID { try c.execute("DELETE FROM blobChunks WHERE id = \(replacedBlobID)") }
            try tx.appendAudit(audit)
        }
    }

    public func revokeDocument(uri: String, at: Date, audit: @escaping @Sendable (DocumentRecord) -> AuditEntry) async throws -> DocumentRecord? {
        try await committer.write { tx in
            guard var document: DocumentRecord = try tx.connection.query("SELECT * FROM documents WHERE uri = \(uri) FOR UPDATE").first?.record() else { return nil }
            if document.revokedAt == nil {
                document.revokedAt = at
                document.updatedAt = at
                try tx.connection.execute(PGColumns.update(document, in: "documents", key: "id"))
                try tx.appendAudit(audit(document))
            }
            return document
        }
    }
}

extension PostgresStore: StorageMaintenance {
    public func ping() throws {
        try read { c in _ = try c.query("SELECT 1") }
    }

    /// PostgreSQL checkpoints on its own.
    public func checkpoint() throws {}

    public func restartLogIfLarge() async throws -> Int? { nil }

    public func pruneExpired(now: Date) async throws -> PruneCounts {
        let cutoff = now.addingTimeInterval(-Pruning.keep)
        return try pool.transaction { c in
            try c.execute("DELETE FROM pushURINonces WHERE createdAt < \(cutoff)")
            return PruneCounts(
                challenges: try c.execute("DELETE FROM otpChallenges WHERE createdAt < \(cutoff) AND expiresAt < \(now)"),
                kycRequests: try c.execute("DELETE FROM kycRequests WHERE createdAt < \(cutoff) AND expiresAt < \(now)"),
                sessions: try c.execute("DELETE FROM sessions WHERE expiresAt < \(cutoff) OR revokedAt < \(cutoff)"),
                partnerTokens: try c.execute("""
                    DELETE FROM partnerTokens WHERE expiresAt < \(cutoff)
                       OR connectionID IN (SELECT id FROM partnerConnections WHERE endedAt < \(cutoff) OR expiresAt < \(cutoff))
                    """),
                partnerConnections: try c.execute("DELETE FROM partnerConnections WHERE endedAt < \(cutoff) OR expiresAt < \(cutoff)"))
        }
    }
}
