import Foundation
import GRDB
import LockerCore

/// A time-limited grant on one document, made by its owner for a third party. The token is
/// stored only as SHA-256; the optional passcode only as a keyed hash.
public struct ShareRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "shares"

    /// What the holder receives: the whole document, or only a signed statement of its status.
    public enum Scope: String, Codable, Sendable { case document, status }

    /// Where a grant stands, as the owner sees it.
    public enum State: String, Sendable { case active, expired, revoked, usedUp = "used-up", locked }

    /// Wrong passcodes that lock a grant.
    public static let passcodeLockout = 5

    public var id: String
    public var tokenHash: Data
    public var documentID: String
    public var ownerID: String
    public var scope: Scope
    public var label: String
    public var maxUses: Int
    public var usesSpent: Int
    public var passcodeHash: Data?
    public var wrongPasscodes: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    /// The stored columns, in the order the hot readers select them (`HotRow.selection` and
    /// inserts derive from this list; the compiler holds it to the properties, and
    /// `RecordColumnsTests` to the table).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, tokenHash, documentID, ownerID, scope, label, maxUses, usesSpent, passcodeHash, wrongPasscodes, createdAt, expiresAt, revokedAt
    }

    public init(id: String, tokenHash: Data, documentID: String, ownerID: String, scope: Scope, label: String, maxUses: Int,
                usesSpent: Int = 0, passcodeHash: Data? = nil, wrongPasscodes: Int = 0, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.tokenHash = tokenHash
        self.documentID = documentID
        self.ownerID = ownerID
        self.scope = scope
        self.label = label
        self.maxUses = maxUses
        self.usesSpent = usesSpent
        self.passcodeHash = passcodeHash
        self.wrongPasscodes = wrongPasscodes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// The grant's state at `now`.
    public func state(at now: Date) -> State {
        if revokedAt != nil { return .revoked }
        if wrongPasscodes >= Self.passcodeLockout { return .locked }
        if usesSpent >= maxUses { return .usedUp }
        if expiresAt <= now { return .expired }
        return .active
    }

    public enum Columns {
        public static let tokenHash = Column(CodingKeys.tokenHash)
        public static let ownerID = Column(CodingKeys.ownerID)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}

