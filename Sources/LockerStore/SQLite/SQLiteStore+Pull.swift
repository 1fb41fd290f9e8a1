import Foundation
import GRDB
import LockerCore

extension SQLiteStore: PullStore {
    public func pullIssuer(id: String) throws -> PullIssuerRecord? {
        try database.read { db in try PullIssuerRecord.fetchOne(db, key: id) }
    }

    public func pullIssuers() throws -> [PullIssuerRecord] {
        try database.read { db in try PullIssuerRecord.order(Column("id")).fetchAll(db) }
    }

    public func pulledDocuments(ownerID: String) throws -> [PulledDocumentRecord] {
        try database.read { db in try PulledDocumentRecord.filter(Column("ownerID") == ownerID).order(Column("createdAt").desc, Column("id")).fetchAll(db) }
    }

    public func pulledDocument(id: String, ownerID: String) throws -> PulledDocumentRecord? {
        try database.read { db in try PulledDocumentRecord.filter(Column("id") == id && Column("ownerID") == ownerID).fetchOne(db) }
    }

    public func duePulls(now: Date, limit: Int) throws -> [PulledDocumentRecord] {
        try database.read { db in
            try PulledDocumentRecord.filter(Column("status") == "pending" && Column("nextTryAt") <= now).order(Column("nextTryAt")).limit(limit).fetchAll(db)
        }
    }

    public func savePulled(_ record: PulledDocumentRecord, audit: AuditEntry?) async throws -> Bool {
        try await committer.write { db in
            if let uri = record.uri,
               try PulledDocumentRecord.filter(Column("ownerID") == record.ownerID && Column("uri") == uri && Column("id") != record.id).fetchCount(db) > 0 {
                return false
            }
            try record.save(db)
            if let audit { try AuditLog.append(db, audit) }
            return true
        }
    }

    public func inPullTransaction<T: Sendable>(_ work: @escaping @Sendable (any PullTransaction) throws -> T) async throws -> T {
        try await committer.write { db in try work(SQLiteTransaction(db: db)) }
    }

    public func deletePulled(id: String, ownerID: String, audit: AuditEntry) async throws -> Bool {
        try await committer.write { db in
            try db.execute(sql: "DELETE FROM pulledDocuments WHERE id = ? AND ownerID = ?", arguments: [id, ownerID])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(db, audit)
            return true
        }
    }
}

extension SQLiteTransaction: PullTransaction {
    func spendPushURINonce(issuerID: String, ts: String, at: Date) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO pushURINonces (issuerID, ts, createdAt) VALUES (?, ?, ?)", arguments: [issuerID, ts, at])
        return db.changesCount == 1
    }

    func pulledDocument(ownerID: String, uri: String) throws -> PulledDocumentRecord? {
        try PulledDocumentRecord.filter(Column("ownerID") == ownerID && Column("uri") == uri).fetchOne(db)
    }

    func savePulled(_ record: PulledDocumentRecord) throws { try record.save(db) }
    func deletePulled(id: String) throws { try db.execute(sql: "DELETE FROM pulledDocuments WHERE id = ?", arguments: [id]) }
}
