import Foundation
import GRDB
import LockerCore

/// A citizen: the owner of documents. The mobile number is stored only as a keyed hash (for
/// lookup) and sealed under the citizen's own data key (for SMS).
public struct CitizenRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "citizens"

    public var id: String
    public var mobileHash: Data
    public var mobileSealed: Data
    public var dekWrapped: Data
    public var kekVersion: Int
    public var dekVersion: Int
    public var createdAt: Date

    /// The data key as wrapped under its KEK.
    public var wrappedDataKey: WrappedKey { WrappedKey(kekVersion: kekVersion, bytes: [UInt8](dekWrapped)) }

    /// The stored columns, in the order the hot readers select them (`HotRow.selection` and
    /// inserts derive from this list; the compiler holds it to the properties, and
    /// `RecordColumnsTests` to the table).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, mobileHash, mobileSealed, dekWrapped, kekVersion, dekVersion, createdAt
    }

    public init(id: String, mobileHash: Data, mobileSealed: Data, dekWrapped: Data, kekVersion: Int, dekVersion: Int, createdAt: Date) {
        self.id = id
        self.mobileHash = mobileHash
        self.mobileSealed = mobileSealed
        self.dekWrapped = dekWrapped
        self.kekVersion = kekVersion
        self.dekVersion = dekVersion
        self.createdAt = createdAt
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let mobileHash = Column(CodingKeys.mobileHash)
        public static let kekVersion = Column(CodingKeys.kekVersion)
    }
}

// Hand-written row decoding for the records read on every request: GRDB's Codable path
// (case-insensitive key lookup, generic metadata, casts) cost more than the queries themselves.

