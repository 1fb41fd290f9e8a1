import Crypto
import Foundation
import LockerCore
import PostgresNIO

/// The rules' view of one PostgreSQL write transaction: the ports' transaction protocols over
/// one borrowed connection. Audit entries are collected and linked into the chain when the
/// batch ends (`linkAudit`), so the chain's head is locked as briefly as possible.
public final class PostgresTransaction {
    let connection: PGConnection
    private var entries: [AuditEntry] = []
    /// Sessions ended in this transaction: the other nodes are told on commit.
    private var endedSessions = false

    init(connection: PGConnection) {
        self.connection = connection
    }

    var auditMark: Int { entries.count }

    func dropAudit(after mark: Int) { entries.removeSubrange(mark...) }

    public func appendAudit(_ entry: AuditEntry) throws { entries.append(entry) }

    /// Links the collected entries after the chain's head and moves the head, in one statement
    /// sent without waiting (`locker_append_audit`, which takes the head row's lock and hashes as
    /// `AuditRecord.chainHash` does); its outcome comes back with the commit's, which releases
    /// the lock. Returns the linked entries' actions, to be counted once the commit succeeds.
    func linkAudit() throws -> [String] {
        if endedSessions { try connection.send("SELECT pg_notify(\(PostgresNotices.sessions), '')") }
        guard !entries.isEmpty else { return [] }
        // Millisecond precision, as on SQLite, so the hash recomputes from the stored row.
        let millis = entries.map { Int64(($0.at.timeIntervalSince1970 * 1000).rounded()) }
        try connection.send("""
            SELECT locker_append_audit(\(millis), \(entries.map(\.action)), \(entries.map(\.actor)),
                \(entries.map { $0.citizenID ?? "" }), \(entries.map { $0.documentID ?? "" }), \(entries.map(\.detailJSON)))
            """)
        defer { entries.removeAll() }
        return entries.map(\.action)
    }

    func sessionsEnded() { endedSessions = true }
}

extension PostgresPool {
    /// One write transaction (a group-commit batch, or a CLI change on its own): its audit
    /// entries are linked into the chain before it commits, and counted once it has committed,
    /// so a batch rolled back and run again is not counted twice.
    func write<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        var linked: [String] = []
        let result = try transaction { connection in
            let tx = PostgresTransaction(connection: connection)
            let result = try body(tx)
            linked = try tx.linkAudit()
            return result
        }
        for action in linked { StoreMetrics.audited(action) }
        return result
    }
}
