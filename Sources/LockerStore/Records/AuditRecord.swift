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
