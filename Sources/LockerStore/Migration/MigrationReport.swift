import Foundation

/// What `locker migrate` copied: per table, the rows in the embedded vault and in PostgreSQL
/// afterwards, and what opening every copied document found.
public struct MigrationReport: Codable, Sendable {
    public struct Table: Codable, Sendable {
        public var name: String
        public var source: Int
        public var target: Int
        /// Rows this run wrote (a resumed run skips what an earlier one copied).
        public var copied: Int
    }

    public var vaultID: String
    public var tables: [Table] = []
    public var blobBytes: Int64 = 0
    public var documentsVerified = 0
    public var failures: [String] = []
    /// True when PostgreSQL already held part of this vault from an earlier, interrupted run.
    public var resumed = false

    /// Every row is in PostgreSQL and every document opened there.
    public var complete = false
}
