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
        try add(issuer, id: issuer.id, audit: audit)
    }

    public func issuers() throws -> [IssuerRecord] { try all(IssuerRecord.self) }

    public func addVerifier(_ verifier: VerifierRecord, audit: AuditEntry) throws -> Bool {
        try add(verifier, id: verifier.id, audit: audit)
    }

    public func verifiers() throws -> [VerifierRecord] { try all(VerifierRecord.self) }

    public func addPartner(_ partner: PartnerRecord, audit: AuditEntry) throws -> Bool {
        try add(partner, id: partner.id, audit: audit)
    }

    public func partners() throws -> [PartnerRecord] { try all(PartnerRecord.self) }

    public func addPullIssuer(_ issuer: PullIssuerRecord, audit: AuditEntry) throws -> Bool {
        try add(issuer, id: issuer.id, audit: audit)
    }

    public func pullIssuers() throws -> [PullIssuerRecord] { try all(PullIssuerRecord.self) }

    /// Registers a party with its audit entry; false (and nothing written) if the id is taken.
    private func add<R: FetchableRecord & PersistableRecord>(_ party: R, id: String, audit: AuditEntry) throws -> Bool {
        try database.pool.write { db in
            guard try R.fetchOne(db, key: id) == nil else { return false }
            try party.insert(db)
            try AuditLog.append(db, audit)
            return true
        }
    }

    /// Every registered party of one kind, by id.
    private func all<R: FetchableRecord & TableRecord>(_: R.Type) throws -> [R] {
        try database.pool.read { db in try R.order(Column("id")).fetchAll(db) }
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

    /// How many archive files `locker audit archive` has made.
    public func auditArchiveCount() throws -> Int {
        try database.pool.read { db in try db.tableExists("auditArchives") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditArchives") ?? 0 : 0 }
    }

    public func checkAuditChain() throws -> (entries: Int, firstBroken: Int64?) {
        try database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0, try AuditLog.firstBrokenEntry(db))
        }
    }
}
