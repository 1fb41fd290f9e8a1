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

    public func deletePulled(id: String, ownerID: String, audit: AuditEntry) async throws -> Bool {
        try await committer.write { db in
            try db.execute(sql: "DELETE FROM pulledDocuments WHERE id = ? AND ownerID = ?", arguments: [id, ownerID])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(db, audit)
            return true
        }
    }
}
