import Crypto
import Foundation
import GRDB
import LockerCore

/// Appends to and reads the audit log. Appends happen inside the caller's transaction, so an
/// event is durable exactly when the change it records is (and, for reads such as downloads,
/// before the bytes leave).
public enum AuditLog {
    /// Appends one event; call inside a write transaction.
    @discardableResult
    public static func append(_ db: Database, at: Date, action: String, actor: String, citizenID: String?, documentID: String?, detail: [String: String] = [:]) throws -> AuditRecord {
        try append(db, at: at, action: action, actor: actor, citizenID: citizenID, documentID: documentID, detailJSON: JSONText.object(detail))
    }

    /// Appends one event whose detail was already written as JSON (`JSONText.object`), so
    /// that the serialized writer only links it into the chain.
    @discardableResult
    public static func append(_ db: Database, at: Date, action: String, actor: String, citizenID: String?, documentID: String?, detailJSON: String) throws -> AuditRecord {
        let last = try db.cachedStatement(sql: "SELECT seq, hash FROM auditLog ORDER BY seq DESC LIMIT 1").fetchFirst(arguments: []) { row in
            (try row.decode(atIndex: 0) as Int64, try row.decode(atIndex: 1) as Data)
        }
        let prevHash = last?.1 ?? Data(count: 32)
        let seq = (last?.0 ?? 0) + 1
        // Store millisecond precision so the hash recomputes exactly from the stored row.
        let at = Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000)
        let record = AuditRecord(
            seq: seq, at: at, action: action, actor: actor, citizenID: citizenID, documentID: documentID, detail: detailJSON,
            prevHash: prevHash, hash: AuditRecord.chainHash(seq: seq, at: at, action: action, actor: actor, citizenID: citizenID, documentID: documentID, detail: detailJSON, prevHash: prevHash))
        let insert = try db.cachedStatement(sql: "INSERT INTO auditLog (seq, at, action, actor, citizenID, documentID, detail, prevHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try insert.execute(arguments: [seq, Timestamp.sqliteText(at), action, actor, citizenID, documentID, detailJSON, prevHash, record.hash])
        return record
    }

    /// A citizen's events, newest first, `limit` at most, before `seq` if given.
    public static func events(_ db: Database, citizenID: String, limit: Int, before: Int64?) throws -> [AuditRecord] {
        var request = AuditRecord.filter(AuditRecord.Columns.citizenID == citizenID)
        if let before { request = request.filter(AuditRecord.Columns.seq < before) }
        return try request.order(AuditRecord.Columns.seq.desc).limit(limit).fetchAll(db)
    }

    /// Walks the whole chain; returns the sequence number of the first entry that does not
    /// follow from its predecessor (edited, removed or reordered), or nil if intact.
    public static func firstBrokenEntry(_ db: Database) throws -> Int64? {
        // After `locker audit archive`, the live log starts where the last archive ends.
        let archived = try AuditArchiveRecord.order(Column("lastSeq").desc).fetchOne(db)
        var prevHash = archived?.lastHash ?? Data(count: 32)
        var expectedSeq: Int64 = (archived?.lastSeq ?? 0) + 1
        let cursor = try AuditRecord.order(AuditRecord.Columns.seq).fetchCursor(db)
        while let r = try cursor.next() {
            guard let seq = r.seq else { return expectedSeq }
            if seq != expectedSeq || r.prevHash != prevHash { return seq }
            let recomputed = AuditRecord.chainHash(seq: seq, at: r.at, action: r.action, actor: r.actor, citizenID: r.citizenID, documentID: r.documentID, detail: r.detail, prevHash: r.prevHash)
            if recomputed != r.hash { return seq }
            prevHash = r.hash
            expectedSeq = seq + 1
        }
        return nil
    }
}

extension AuditLog {
    /// Appends an entry a feature service worded, inside the caller's transaction.
    @discardableResult
    public static func append(_ db: Database, _ entry: AuditEntry) throws -> AuditRecord {
        StoreMetrics.audited(entry.action)
        return try append(db, at: entry.at, action: entry.action, actor: entry.actor, citizenID: entry.citizenID, documentID: entry.documentID, detailJSON: entry.detailJSON)
    }
}
