import Foundation
import GRDB

/// A citizen's document held by a pull issuer: only its URI and what the list shows. The bytes
/// are fetched from the issuer on every download and never stored. While the issuer answers
/// "pending", the citizen's search (sealed) is kept to ask again.
public struct PulledDocumentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "pulledDocuments"

    public enum Status: String, Codable, Sendable { case issued, pending }

    public var id: String
    public var ownerID: String
    public var issuerID: String
    public var docType: String
    public var uri: String?
    public var status: Status
    /// The search fields, sealed, while pending; nil once issued.
    public var requestSealed: Data?
    public var attempts: Int
    public var nextTryAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, ownerID, issuerID, docType, uri, status, requestSealed, attempts, nextTryAt, createdAt, updatedAt
    }

    public init(id: String, ownerID: String, issuerID: String, docType: String, uri: String?, status: Status, requestSealed: Data?,
                attempts: Int = 0, nextTryAt: Date? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.ownerID = ownerID
        self.issuerID = issuerID
        self.docType = docType
        self.uri = uri
        self.status = status
        self.requestSealed = requestSealed
        self.attempts = attempts
        self.nextTryAt = nextTryAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
