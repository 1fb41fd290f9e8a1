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

    /// Links the collected entries after the chain's head, under its row lock, and moves the
    /// head; the lock is released by the commit that follows.
    func linkAudit() throws {
        if endedSessions { try connection.send("SELECT pg_notify(\(PostgresNotices.sessions), '')") }
        guard !entries.isEmpty else { return }
        guard let head = try connection.query("SELECT seq, hash FROM auditHead WHERE id = 1 FOR UPDATE").first else {
            throw StoreError("the audit chain's head row is missing")
        }
        var seq: Int64 = try head.decode(0)
        var prevHash: Data = try head.decode(1)
        var sql = "INSERT INTO auditLog (seq, at, action, actor, citizenID, documentID, detail, prevHash, hash) VALUES "
        var binds = PostgresBindings(capacity: entries.count * 9)
        for (i, entry) in entries.enumerated() {
            seq += 1
            // Millisecond precision, as on SQLite, so the hash recomputes from the stored row.
            let at = Date(timeIntervalSince1970: (entry.at.timeIntervalSince1970 * 1000).rounded() / 1000)
            let hash = AuditRecord.chainHash(seq: seq, at: at, action: entry.action, actor: entry.actor, citizenID: entry.citizenID,
                                             documentID: entry.documentID, detail: entry.detailJSON, prevHash: prevHash)
            let base = i * 9
            sql += (i == 0 ? "" : ", ") + "(" + (1...9).map { "$\(base + $0)" }.joined(separator: ", ") + ")"
            try binds.append(seq)
            try binds.append(at)
            try binds.append(entry.action)
            try binds.append(entry.actor)
            try binds.append(entry.citizenID)
            try binds.append(entry.documentID)
            try binds.append(entry.detailJSON)
            try binds.append(prevHash)
            try binds.append(hash)
            prevHash = hash
        }
        // One statement appends the entries and moves the head; it is sent without waiting, and
        // its outcome comes back with the commit's.
        try binds.append(seq)
        try binds.append(prevHash)
        let n = entries.count * 9
        sql = "WITH appended AS (" + sql + " RETURNING 1) UPDATE auditHead SET seq = $\(n + 1), hash = $\(n + 2) WHERE id = 1"
        try connection.send(PostgresQuery(unsafeSQL: sql, binds: binds))
        entries.removeAll()
    }

    func sessionsEnded() { endedSessions = true }
}

extension PostgresPool {
    /// One write transaction of its own, outside the group committer (the CLI's changes and
    /// the key administration): its audit entries are linked into the chain before it commits.
    func write<T>(_ body: (PostgresTransaction) throws -> T) throws -> T {
        try transaction { connection in
            let tx = PostgresTransaction(connection: connection)
            let result = try body(tx)
            try tx.linkAudit()
            return result
        }
    }
}
