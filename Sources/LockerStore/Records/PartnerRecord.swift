import Foundation
import GRDB

/// A registered partner app (DigiLocker's "Authorized Partner"): an OAuth 2.0 client that, with
/// a citizen's consent, lists and downloads that citizen's certificates. A confidential client
/// holds a secret, stored only as its hash; a public one (a phone app) proves itself with PKCE.
public struct PartnerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "partners"

    /// The OAuth `client_id`.
    public var id: String
    /// Shown to citizens on the consent page and in their connected apps.
    public var name: String
    /// Registered redirect URIs, one per line; an authorization request must name one exactly.
    public var redirectURIs: String
    /// Hash of the client secret; nil for a public client.
    public var secretHash: Data?
    public var disabled: Bool
    public var createdAt: Date

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, redirectURIs, secretHash, disabled, createdAt
    }

    public init(id: String, name: String, redirectURIs: [String], secretHash: Data?, disabled: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.redirectURIs = redirectURIs.joined(separator: "\n")
        self.secretHash = secretHash
        self.disabled = disabled
        self.createdAt = createdAt
    }

    /// The registered redirect URIs.
    public var redirectURIList: [String] { redirectURIs.split(separator: "\n").map(String.init) }

    /// Whether the client authenticates with a secret.
    public var confidential: Bool { secretHash != nil }
}
