import Foundation
import GRDB

/// A citizen's consent to one partner app: made on the consent page, it lasts `lifetime` unless
/// the citizen disconnects it, the partner revokes it, a replayed code or a reused refresh token
/// ends it, or a rekey ends every connection of the citizen. Its codes and tokens
/// (`PartnerTokenRecord`) work only while it is live.
public struct PartnerConnectionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "partnerConnections"

    /// How long a consent lasts (the consent page says so).
    public static let lifetime: TimeInterval = 30 * 24 * 3600

    public var id: String
    public var partnerID: String
    public var citizenID: String
    /// Granted scopes, space-separated (`PartnerScope`).
    public var scopes: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date?
    public var endedAt: Date?
    /// Why it ended: `disconnected`, `revoked-by-partner`, `code-replayed`, `refresh-reused`, `rekey`.
    public var endedReason: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, partnerID, citizenID, scopes, createdAt, expiresAt, lastUsedAt, endedAt, endedReason
    }

    public init(id: String, partnerID: String, citizenID: String, scopes: [String], createdAt: Date, expiresAt: Date,
                lastUsedAt: Date? = nil, endedAt: Date? = nil, endedReason: String? = nil) {
        self.id = id
        self.partnerID = partnerID
        self.citizenID = citizenID
        self.scopes = scopes.joined(separator: " ")
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.endedAt = endedAt
        self.endedReason = endedReason
    }

    public var scopeList: [String] { scopes.split(separator: " ").map(String.init) }

    /// Whether its tokens work at `now`.
    public func isLive(at now: Date) -> Bool { endedAt == nil && expiresAt > now }

    public enum Columns {
        public static let citizenID = Column(CodingKeys.citizenID)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}
