import Foundation
import GRDB

/// One sealed archive file of audit entries moved out of the live log (`locker audit archive`).
/// The live chain continues from `lastHash`; `audit verify` walks the files, then the live log.
public struct AuditArchiveRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "auditArchives"

    public var firstSeq: Int64
    public var lastSeq: Int64
    /// The hash the first archived entry chains from (zeros for the very first entry).
    public var prevHash: Data
    /// The last archived entry's hash: the first live entry's `prevHash`.
    public var lastHash: Data
    public var entries: Int
    /// Where the file was written (absolute), and its SHA-256.
    public var path: String
    public var fileSHA256: Data
    public var createdAt: Date

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case firstSeq, lastSeq, prevHash, lastHash, entries, path, fileSHA256, createdAt
    }

    public init(firstSeq: Int64, lastSeq: Int64, prevHash: Data, lastHash: Data, entries: Int, path: String, fileSHA256: Data, createdAt: Date) {
        self.firstSeq = firstSeq
        self.lastSeq = lastSeq
        self.prevHash = prevHash
        self.lastHash = lastHash
        self.entries = entries
        self.path = path
        self.fileSHA256 = fileSHA256
        self.createdAt = createdAt
    }
}
