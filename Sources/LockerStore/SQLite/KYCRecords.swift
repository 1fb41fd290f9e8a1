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

/// A KYC-VS request: who asks, about which number and name (sealed), and the consent OTP's hash.
public struct KYCRequestRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "kycRequests"

    public var id: String
    public var verifierID: String
    public var mobileHash: Data
    public var nameSealed: Data
    public var purpose: String
    public var nonce: String?
    public var otpHash: Data
    public var attempts: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(id: String, verifierID: String, mobileHash: Data, nameSealed: Data, purpose: String, nonce: String?, otpHash: Data,
                attempts: Int, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.verifierID = verifierID
        self.mobileHash = mobileHash
        self.nameSealed = nameSealed
        self.purpose = purpose
        self.nonce = nonce
        self.otpHash = otpHash
        self.attempts = attempts
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    public enum Columns {
        public static let mobileHash = Column(CodingKeys.mobileHash)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}

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
