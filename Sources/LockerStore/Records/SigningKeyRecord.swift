import Foundation
import GRDB

/// A status-signing key. The private half is stored only wrapped under a KEK.
public struct SigningKeyRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "signingKeys"

    public var kid: String
    public var publicKey: Data
    public var privateKeyWrapped: Data
    public var kekVersion: Int
    public var createdAt: Date
    /// Set when a newer key takes over signing.
    public var retiredAt: Date?
    /// Once retired: the key stays in the JWKS until this time (when all it signed has expired).
    public var publishUntil: Date?

    public init(kid: String, publicKey: Data, privateKeyWrapped: Data, kekVersion: Int, createdAt: Date, retiredAt: Date? = nil, publishUntil: Date? = nil) {
        self.kid = kid
        self.publicKey = publicKey
        self.privateKeyWrapped = privateKeyWrapped
        self.kekVersion = kekVersion
        self.createdAt = createdAt
        self.retiredAt = retiredAt
        self.publishUntil = publishUntil
    }

    public enum Columns {
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let retiredAt = Column(CodingKeys.retiredAt)
    }
}
