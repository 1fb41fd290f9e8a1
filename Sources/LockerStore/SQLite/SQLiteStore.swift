import Foundation
import GRDB
import LockerCore

/// The embedded adapter: every port on one SQLite database. Durable writes go through the
/// `GroupCommitter` (one fsynced commit per batch of requests); request reads use
/// `LockerDatabase.read`'s own read-only connections and the hand-decoded `HotQueries`.
public final class SQLiteStore: Sendable {
    public let database: LockerDatabase
    public let committer: GroupCommitter
    /// Sealed documents, inline rows or files; the push writes a small one's row in its commit.
    let blobs: SQLiteBlobStore

    public init(vault: Vault) {
        self.database = vault.database
        self.blobs = vault.sqliteBlobs
        self.committer = GroupCommitter(database: vault.database)
    }
}

extension SQLiteStore: AuditStore {
    public func appendAudit(_ entry: AuditEntry) async throws {
        try await committer.write { db in _ = try AuditLog.append(db, entry) }
    }

    public func events(citizenID: String, limit: Int, before: Int64?) throws -> [AuditRecord] {
        try database.read { db in try AuditLog.events(db, citizenID: citizenID, limit: limit, before: before) }
    }
}

extension SQLiteStore: DirectoryStore {
    public func issuer(id: String) throws -> IssuerRecord? {
        try database.read { db in try HotQueries.issuer(db, id: id) }
    }

    public func issuer(apiKeyHash: Data) throws -> IssuerRecord? {
        try database.read { db in try HotQueries.issuer(db, apiKeyHash: apiKeyHash) }
    }

    public func issuerNames() throws -> [String: String] {
        try database.read { db in
            Dictionary(try IssuerRecord.fetchAll(db).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        }
    }

    public func verifier(apiKeyHash: Data) throws -> VerifierRecord? {
        try database.read { db in try VerifierRecord.filter(VerifierRecord.Columns.apiKeyHash == apiKeyHash).fetchOne(db) }
    }

    public func verifier(id: String) throws -> VerifierRecord? {
        try database.read { db in try VerifierRecord.fetchOne(db, key: id) }
    }
}

extension SQLiteStore: DocumentStore {
    public func ownedDocument(id: String, ownerID: String) throws -> DocumentRecord? {
        try database.read { db in try HotQueries.ownedDocument(db, id: id, ownerID: ownerID) }
    }

    public func ownedDocument(uri: String, ownerID: String) throws -> DocumentRecord? {
        try database.read { db in try HotQueries.document(db, uri: uri).flatMap { $0.ownerID == ownerID ? $0 : nil } }
    }

    public func documents(ownerID: String) throws -> [DocumentRecord] {
        try database.read { db in
            try DocumentRecord.filter(DocumentRecord.Columns.ownerID == ownerID).order(DocumentRecord.Columns.createdAt.desc).fetchAll(db)
        }
    }

    public func revokedDocumentIDs(docType: String) throws -> [String] {
        try database.read { db in
            try DocumentRecord.filter(DocumentRecord.Columns.docType == docType && DocumentRecord.Columns.revokedAt != nil)
                .order(DocumentRecord.Columns.id).select(DocumentRecord.Columns.id, as: String.self).fetchAll(db)
        }
    }
}

extension SQLiteStore: StatusStore {
    public func vaccinationCertificates(mobileHash: Data, issuedNoLaterThan: String) throws -> (CitizenRecord, [DocumentRecord])? {
        try database.read { db in
            guard let citizen = try HotQueries.citizen(db, mobileHash: mobileHash) else { return nil }
            return (citizen, try HotQueries.vaccinationCertificates(db, ownerID: citizen.id, issuedNoLaterThan: issuedNoLaterThan))
        }
    }
}
