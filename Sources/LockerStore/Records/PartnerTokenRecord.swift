import Foundation
import GRDB

/// An authorization code, access token or refresh token of a partner connection, stored only as
/// the SHA-256 of the token. A code and a refresh token are spent once (`usedAt`); presenting
/// one again is a replay and ends the connection.
public struct PartnerTokenRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "partnerTokens"

    public enum Kind: String, Codable, Sendable { case code, access, refresh }

    public var tokenHash: Data
    public var kind: Kind
    public var connectionID: String
    /// The client it was issued to; another client presenting it gets nothing.
    public var partnerID: String
    /// A code's redirect URI, which the exchange must repeat.
    public var redirectURI: String?
    /// A code's PKCE challenge (S256).
    public var codeChallenge: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case tokenHash, kind, connectionID, partnerID, redirectURI, codeChallenge, createdAt, expiresAt, usedAt
    }

    public init(tokenHash: Data, kind: Kind, connectionID: String, partnerID: String, redirectURI: String? = nil,
                codeChallenge: String? = nil, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.tokenHash = tokenHash
        self.kind = kind
        self.connectionID = connectionID
        self.partnerID = partnerID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}
