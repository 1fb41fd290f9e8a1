import Foundation
import GRDB

/// A signing key: an Ed25519 key that signs status answers and audit checkpoints, or a P-256
/// key that signs SMART Health Cards (`alg` ES256, `kid` its RFC 7638 thumbprint). The private
/// half is stored only wrapped under a KEK.
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
    /// `Ed25519` (status answers) or `ES256` (SMART Health Cards): each kind rolls over on its own.
    public var alg: String

    /// The two kinds of signing key.
    public static let ed25519 = "Ed25519"
    public static let es256 = "ES256"

    public init(kid: String, publicKey: Data, privateKeyWrapped: Data, kekVersion: Int, createdAt: Date, retiredAt: Date? = nil, publishUntil: Date? = nil,
                alg: String = SigningKeyRecord.ed25519) {
        self.kid = kid
        self.publicKey = publicKey
        self.privateKeyWrapped = privateKeyWrapped
        self.kekVersion = kekVersion
        self.createdAt = createdAt
        self.retiredAt = retiredAt
        self.publishUntil = publishUntil
        self.alg = alg
    }

    public enum Columns {
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let retiredAt = Column(CodingKeys.retiredAt)
        public static let alg = Column(CodingKeys.alg)
    }
}
