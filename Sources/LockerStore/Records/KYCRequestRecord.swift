import Foundation
import GRDB

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
