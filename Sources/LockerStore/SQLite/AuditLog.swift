import Crypto
import Foundation
import GRDB
import LockerCore

/// One entry of the append-only, hash-chained audit log.
public struct AuditRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "auditLog"

    public var seq: Int64?
    public var at: Date
    public var action: String
    public var actor: String
    public var citizenID: String?
    public var documentID: String?
    /// JSON object with action-specific details; never holds a secret or contact detail.
    public var detail: String
    public var prevHash: Data
    public var hash: Data

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }

    public enum Columns {
        public static let seq = Column(CodingKeys.seq)
        public static let citizenID = Column(CodingKeys.citizenID)
    }

    /// SHA-256 over the previous hash and every field, each length-prefixed, so no field can
    /// change, and no entry be removed or reordered, without breaking every later hash.
    public static func chainHash(seq: Int64, at: Date, action: String, actor: String, citizenID: String?, documentID: String?, detail: String, prevHash: Data) -> Data {
        var hasher = SHA256()
        func add(_ s: String) {
            var len = UInt32(s.utf8.count).bigEndian
            withUnsafeBytes(of: &len) { hasher.update(bufferPointer: $0) }
            hasher.update(data: Array(s.utf8))
        }
        hasher.update(data: prevHash)
        add(String(seq))
        add(String(Int64((at.timeIntervalSince1970 * 1000).rounded())))
        add(action)
        add(actor)
        add(citizenID ?? "")
        add(documentID ?? "")
        add(detail)
        return Data(hasher.finalize())
    }
}

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
        var prevHash = Data(count: 32)
        var expectedSeq: Int64 = 1
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
        try append(db, at: entry.at, action: entry.action, actor: entry.actor, citizenID: entry.citizenID, documentID: entry.documentID, detailJSON: entry.detailJSON)
    }
}
