import Foundation
import GRDB
import LockerCore

/// A citizen's session. The bearer token is never stored, only its SHA-256.
public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sessions"

    public var id: String
    public var tokenHash: Data
    public var citizenID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    /// The stored columns, in the order the hot readers select them (`HotRow.selection` and
    /// inserts derive from this list; the compiler holds it to the properties, and
    /// `RecordColumnsTests` to the table).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, tokenHash, citizenID, createdAt, expiresAt, revokedAt
    }

    public init(id: String, tokenHash: Data, citizenID: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.tokenHash = tokenHash
        self.citizenID = citizenID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public enum Columns {
        public static let tokenHash = Column(CodingKeys.tokenHash)
    }
}

