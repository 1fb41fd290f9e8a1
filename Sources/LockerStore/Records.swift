import Foundation
import GRDB
import LockerCore

/// A citizen: the owner of documents. The mobile number is stored only as a keyed hash (for
/// lookup) and sealed under the citizen's own data key (for SMS).
public struct CitizenRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "citizens"

    public var id: String
    public var mobileHash: Data
    public var mobileSealed: Data
    public var dekWrapped: Data
    public var kekVersion: Int
    public var dekVersion: Int
    public var createdAt: Date

    /// The data key as wrapped under its KEK.
    public var wrappedDataKey: WrappedKey { WrappedKey(kekVersion: kekVersion, bytes: [UInt8](dekWrapped)) }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let mobileHash = Column(CodingKeys.mobileHash)
        public static let kekVersion = Column(CodingKeys.kekVersion)
    }
}

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

    /// What the document's envelope is bound to.
    public var envelopeContext: EnvelopeContext {
        EnvelopeContext(ownerID: ownerID, documentID: id, keyVersion: UInt32(version))
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let ownerID = Column(CodingKeys.ownerID)
        public static let uri = Column(CodingKeys.uri)
        public static let blobID = Column(CodingKeys.blobID)
        public static let createdAt = Column(CodingKeys.createdAt)
    }
}
