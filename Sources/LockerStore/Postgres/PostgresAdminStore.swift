import Foundation
import LockerCore
import PostgresNIO

/// `AdminStore` on PostgreSQL, for the `locker` CLI: each change its own transaction, with its
/// audit entry linked into the deployment's chain before the commit.
public struct PostgresAdminStore: AdminStore {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func addIssuer(_ issuer: IssuerRecord, audit: AuditEntry) throws -> Bool {
        try add(issuer, to: "issuers", audit: audit)
    }

    public func issuers() throws -> [IssuerRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM issuers ORDER BY id").map { try $0.record() } }
    }

    public func addVerifier(_ verifier: VerifierRecord, audit: AuditEntry) throws -> Bool {
        try add(verifier, to: "verifiers", audit: audit)
    }

    /// Registers a party with its audit entry; false (and nothing written) if the id is taken.
    private func add<R: Encodable>(_ party: R, to table: String, audit: AuditEntry) throws -> Bool {
        try pool.write { tx in
            guard try tx.connection.execute(PGColumns.insert(party, into: table, suffix: "ON CONFLICT (id) DO NOTHING")) == 1 else { return false }
            try tx.appendAudit(audit)
            return true
        }
    }

    public func verifiers() throws -> [VerifierRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM verifiers ORDER BY id").map { try $0.record() } }
    }

    public func addPartner(_ partner: PartnerRecord, audit: AuditEntry) throws -> Bool {
        try add(partner, to: "partners", audit: audit)
    }

    public func partners() throws -> [PartnerRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM partners ORDER BY id").map { try $0.record() } }
    }

    public func addPullIssuer(_ issuer: PullIssuerRecord, audit: AuditEntry) throws -> Bool {
        try add(issuer, to: "pullIssuers", audit: audit)
    }

    public func pullIssuers() throws -> [PullIssuerRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM pullIssuers ORDER BY id").map { try $0.record() } }
    }

    public func disable(_ party: PartyKind, id: String, audit: AuditEntry) throws -> Bool {
        let table = party.table
        return try pool.write { tx in
            guard try tx.connection.execute(PostgresQuery(unsafeSQL: "UPDATE \(table) SET disabled = TRUE WHERE id = $1", binds: PostgresStore.binds(id))) == 1 else { return false }
            try tx.appendAudit(audit)
            return true
        }
    }

    public func revokeDocument(uri: String, at: Date, audit: (DocumentRecord) -> AuditEntry) throws -> Bool? {
        try pool.write { tx -> Bool? in
            guard var document: DocumentRecord = try tx.connection.query("SELECT * FROM documents WHERE uri = \(uri) FOR UPDATE").first?.record() else { return nil }
            guard document.revokedAt == nil else { return true }
            document.revokedAt = at
            document.updatedAt = at
            try tx.connection.execute(PGColumns.update(document, in: "documents", key: "id"))
            try tx.appendAudit(audit(document))
            return false
        }
    }

    /// Walks the whole chain in pages; the head row must agree with the last entry.
    public func checkAuditChain() throws -> (entries: Int, firstBroken: Int64?) {
        try pool.withConnection { c in
            // After `locker audit archive`, the live log starts where the last archive ends.
            let archived: AuditArchiveRecord? = try c.query("SELECT * FROM auditArchives ORDER BY lastSeq DESC LIMIT 1").first?.record()
            var prevHash = archived?.lastHash ?? Data(count: 32)
            var expected: Int64 = (archived?.lastSeq ?? 0) + 1
            var count = 0
            while true {
                let page: [AuditRecord] = try c.query("SELECT * FROM auditLog WHERE seq >= \(expected) ORDER BY seq LIMIT 5000").map { try $0.record() }
                if page.isEmpty { break }
                for r in page {
                    guard let seq = r.seq else { return (count, expected) }
                    let recomputed = AuditRecord.chainHash(seq: seq, at: r.at, action: r.action, actor: r.actor, citizenID: r.citizenID,
                                                           documentID: r.documentID, detail: r.detail, prevHash: r.prevHash)
                    if seq != expected || r.prevHash != prevHash || recomputed != r.hash { return (count, seq) }
                    prevHash = r.hash
                    expected = seq + 1
                    count += 1
                }
            }
            // Entries removed from the end show as a head ahead of the last entry.
            if let head = try c.query("SELECT seq, hash FROM auditHead WHERE id = 1").first,
               try head.decode(0, as: Int64.self) != expected - 1 || head.decode(1, as: Data.self) != prevHash {
                return (count, expected)
            }
            return (count, nil)
        }
    }
}
