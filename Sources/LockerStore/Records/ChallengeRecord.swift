import Foundation
import GRDB
import LockerCore

/// An OTP challenge. The OTP itself is never stored, only its keyed hash.
public struct ChallengeRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "otpChallenges"

    public var id: String
    public var purpose: String
    public var mobileHash: Data
    /// The mobile number sealed under the server's challenge key, so a first sign-in can
    /// create the account (which needs the number) without it ever resting in clear.
    public var mobileSealed: Data
    public var clientHash: Data
    public var otpHash: Data
    public var attempts: Int
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(id: String, purpose: String, mobileHash: Data, mobileSealed: Data, clientHash: Data, otpHash: Data, attempts: Int, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.purpose = purpose
        self.mobileHash = mobileHash
        self.mobileSealed = mobileSealed
        self.clientHash = clientHash
        self.otpHash = otpHash
        self.attempts = attempts
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }

    public enum Columns {
        public static let mobileHash = Column(CodingKeys.mobileHash)
        public static let clientHash = Column(CodingKeys.clientHash)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let purpose = Column(CodingKeys.purpose)
    }
}
