import Foundation
import GRDB
import LockerCore

/// A document's metadata and wrapped content key. The content itself is a sealed blob.
public struct DocumentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "documents"

    public var id: String
    public var ownerID: String
    public var uri: String
    public var issuerID: String
    public var docType: String
    public var issuerDocID: String
    public var issuedOn: String
    public var version: Int
    public var blobID: String
    public var contentKeyWrapped: Data
    public var dekVersion: Int
    public var size: Int
    public var contentType: String
    public var contentSHA256: Data
    public var claimsSealed: Data?
    public var signature: Data?
    public var revokedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// SHA-256 of the issuer's metadata part as sent (for idempotent re-pushes).
    public var metadataSHA256: Data?
    /// For vaccination certificates: the holder's normalised name and status, sealed under the
    /// owner's data key (what a KYC-VS check reads).
    public var holderSealed: Data?

    /// What the document's envelope is bound to.
    public var envelopeContext: EnvelopeContext {
        EnvelopeContext(ownerID: ownerID, documentID: id, keyVersion: UInt32(version))
    }

    /// The stored columns, in the order the hot readers select them (`HotRow.selection` and
    /// inserts derive from this list; the compiler holds it to the properties, and
    /// `RecordColumnsTests` to the table).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, ownerID, uri, issuerID, docType, issuerDocID, issuedOn, version, blobID, contentKeyWrapped, dekVersion, size, contentType, contentSHA256, claimsSealed, signature, revokedAt, createdAt, updatedAt, metadataSHA256, holderSealed
    }

    public init(id: String, ownerID: String, uri: String, issuerID: String, docType: String, issuerDocID: String, issuedOn: String, version: Int, blobID: String, contentKeyWrapped: Data, dekVersion: Int, size: Int, contentType: String, contentSHA256: Data, claimsSealed: Data? = nil, signature: Data? = nil, revokedAt: Date? = nil, createdAt: Date, updatedAt: Date, metadataSHA256: Data? = nil, holderSealed: Data? = nil) {
        self.id = id
        self.ownerID = ownerID
        self.uri = uri
        self.issuerID = issuerID
        self.docType = docType
        self.issuerDocID = issuerDocID
        self.issuedOn = issuedOn
        self.version = version
        self.blobID = blobID
        self.contentKeyWrapped = contentKeyWrapped
        self.dekVersion = dekVersion
        self.size = size
        self.contentType = contentType
        self.contentSHA256 = contentSHA256
        self.claimsSealed = claimsSealed
        self.signature = signature
        self.revokedAt = revokedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.metadataSHA256 = metadataSHA256
        self.holderSealed = holderSealed
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let ownerID = Column(CodingKeys.ownerID)
        public static let uri = Column(CodingKeys.uri)
        public static let blobID = Column(CodingKeys.blobID)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let docType = Column(CodingKeys.docType)
        public static let revokedAt = Column(CodingKeys.revokedAt)
    }
}

