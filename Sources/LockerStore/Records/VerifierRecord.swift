import Foundation
import GRDB

/// A verifier (a railway booking site, an employer): its API key hash and the origins that
/// may embed the consent page.
public struct VerifierRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "verifiers"

    public var id: String
    public var name: String
    /// JSON array of origins (`https://www.irctc.co.in`).
    public var origins: String
    public var apiKeyHash: Data
    public var disabled: Bool
    public var createdAt: Date

    public init(id: String, name: String, origins: [String], apiKeyHash: Data, disabled: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.origins = String(decoding: (try? JSONEncoder().encode(origins)) ?? Data("[]".utf8), as: UTF8.self)
        self.apiKeyHash = apiKeyHash
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// The registered origins.
    public var originList: [String] { (try? JSONDecoder().decode([String].self, from: Data(origins.utf8))) ?? [] }

    public enum Columns {
        public static let apiKeyHash = Column(CodingKeys.apiKeyHash)
    }
}
