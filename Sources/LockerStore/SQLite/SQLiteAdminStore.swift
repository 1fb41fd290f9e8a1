import Foundation
import GRDB
import LockerCore

/// `AdminStore` on the SQLite database, for the `locker` CLI: plain write transactions
/// (fsynced, `synchronous = FULL`), no group committer — an admin's change is one at a time.
public struct SQLiteAdminStore: AdminStore {
    let database: LockerDatabase

    public init(database: LockerDatabase) {
        self.database = database
    }

    public func addIssuer(_ issuer: IssuerRecord, audit: AuditEntry) throws -> Bool {
        try database.pool.write { db in
            guard try IssuerRecord.fetchOne(db, key: issuer.id) == nil else { return false }
            try issuer.insert(db)
            try AuditLog.append(db, audit)
            return true
        }
    }

    public func issuers() throws -> [IssuerRecord] {
        try database.pool.read { db in try IssuerRecord.order(Column("id")).fetchAll(db) }
    }

    public func addVerifier(_ verifier: VerifierRecord, audit: AuditEntry) throws -> Bool {
        try database.pool.write { db in
            guard try VerifierRecord.fetchOne(db, key: verifier.id) == nil else { return false }
            try verifier.insert(db)
            try AuditLog.append(db, audit)
            return true
        }
    }

    public func verifiers() throws -> [VerifierRecord] {
        try database.pool.read { db in try VerifierRecord.order(Column("id")).fetchAll(db) }
    }

    public func addPartner(_ partner: PartnerRecord, audit: AuditEntry) throws -> Bool {
        try database.pool.write { db in
            guard try PartnerRecord.fetchOne(db, key: partner.id) == nil else { return false }
            try partner.insert(db)
            try AuditLog.append(db, audit)
            return true
        }
    }

    public func partners() throws -> [PartnerRecord] {
        try database.pool.read { db in try PartnerRecord.order(Column("id")).fetchAll(db) }
    }

    public func disable(_ party: PartyKind, id: String, audit: AuditEntry) throws -> Bool {
        let table = party.table
        return try database.pool.write { db in
            try db.execute(sql: "UPDATE \(table) SET disabled = 1 WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(db, audit)
            return true
        }
    }

    public func revokeDocument(uri: String, at: Date, audit: (DocumentRecord) -> AuditEntry) throws -> Bool? {
        try database.pool.write { db -> Bool? in
            guard var document = try DocumentRecord.filter(DocumentRecord.Columns.uri == uri).fetchOne(db) else { return nil }
            guard document.revokedAt == nil else { return true }
            document.revokedAt = at
            document.updatedAt = at
            try document.update(db)
            try AuditLog.append(db, audit(document))
            return false
        }
    }

    public func checkAuditChain() throws -> (entries: Int, firstBroken: Int64?) {
        try database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0, try AuditLog.firstBrokenEntry(db))
        }
    }
}
