import Foundation
import GRDB
import LockerCore

extension SQLiteStore: ShareStore {
    public func createShare(_ share: ShareRecord, audit: AuditEntry) async throws {
        try await committer.write { db in
            try share.insert(db)
            try AuditLog.append(db, audit)
        }
    }

    public func shares(ownerID: String) throws -> [ShareRecord] {
        try database.read { db in
            try ShareRecord.filter(ShareRecord.Columns.ownerID == ownerID).order(ShareRecord.Columns.createdAt.desc).fetchAll(db)
        }
    }

    public func link(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, issuerName: String)? {
        try database.read { db in
            guard let share = try ShareRecord.filter(ShareRecord.Columns.tokenHash == tokenHash).fetchOne(db),
                  let document = try DocumentRecord.fetchOne(db, key: share.documentID) else { return nil }
            let issuer = try IssuerRecord.fetchOne(db, key: document.issuerID)?.name ?? document.issuerID
            return (share, document, issuer)
        }
    }

    public func pulledLink(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, issuerName: String)? {
        try database.read { db in
            guard let share = try ShareRecord.filter(ShareRecord.Columns.tokenHash == tokenHash).fetchOne(db),
                  let pulled = try PulledDocumentRecord.fetchOne(db, key: share.documentID) else { return nil }
            return (share, pulled, try PullIssuerRecord.fetchOne(db, key: pulled.issuerID)?.name ?? pulled.issuerID)
        }
    }

    public func inShareTransaction<T: Sendable>(_ work: @escaping @Sendable (any ShareTransaction) throws -> T) async throws -> T {
        try await committer.write { db in try work(SQLiteTransaction(db: db)) }
    }
}
