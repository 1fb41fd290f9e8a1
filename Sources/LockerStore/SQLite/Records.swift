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

    public init(id: String, mobileHash: Data, mobileSealed: Data, dekWrapped: Data, kekVersion: Int, dekVersion: Int, createdAt: Date) {
        self.id = id
        self.mobileHash = mobileHash
        self.mobileSealed = mobileSealed
        self.dekWrapped = dekWrapped
        self.kekVersion = kekVersion
        self.dekVersion = dekVersion
        self.createdAt = createdAt
    }

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
    /// SHA-256 of the issuer's metadata part as sent (for idempotent re-pushes).
    public var metadataSHA256: Data?
    /// For vaccination certificates: the holder's normalised name and status, sealed under the
    /// owner's data key (what a KYC-VS check reads).
    public var holderSealed: Data?

    /// What the document's envelope is bound to.
    public var envelopeContext: EnvelopeContext {
        EnvelopeContext(ownerID: ownerID, documentID: id, keyVersion: UInt32(version))
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
    }
}

/// A registered issuer: its Ed25519 public key, the hash of its API key, and the document
/// types it may issue (a school board may push `MARKS`, never `VACER`).
public struct IssuerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "issuers"

    public var id: String
    public var name: String
    public var publicKey: Data
    public var apiKeyHash: Data
    public var disabled: Bool
    public var createdAt: Date
    /// The document types this issuer may push, comma-separated (`MARKS,VACER`): what a
    /// status check's SQL matches against (`issuesDocTypeSQL`).
    public var docTypes: String

    public init(id: String, name: String, publicKey: Data, apiKeyHash: Data, disabled: Bool = false, createdAt: Date, docTypes: [String] = []) {
        self.id = id
        self.name = name
        self.publicKey = publicKey
        self.apiKeyHash = apiKeyHash
        self.disabled = disabled
        self.createdAt = createdAt
        self.docTypes = Self.encodeDocTypes(docTypes)
    }

    /// The document types this issuer may push, sorted.
    public var docTypeList: [String] { docTypes.split(separator: ",").map(String.init) }

    /// Whether this issuer may push (and be believed about) documents of `docType`.
    public func mayIssue(_ docType: String) -> Bool { docTypeList.contains(docType) }

    /// The stored form: sorted, without duplicates, comma-separated.
    public static func encodeDocTypes(_ types: [String]) -> String { Set(types).sorted().joined(separator: ",") }

    /// Whether a status answer counts this issuer's word on `docType` (enabled and authorised):
    /// the Swift twin of `issuesDocTypeSQL`, for answers about one known document.
    public func vouches(for docType: String) -> Bool { !disabled && mayIssue(docType) }

    /// SQL true when the issuer row aliased `alias` is enabled and may issue the document type
    /// given by the SQL expression `docType` (an enabled, authorised issuer's documents are the
    /// only ones a status answer counts).
    public static func issuesDocTypeSQL(alias: String, docType: String) -> String {
        "\(alias).disabled = 0 AND instr(',' || \(alias).docTypes || ',', ',' || \(docType) || ',') > 0"
    }

    public enum Columns {
        public static let apiKeyHash = Column(CodingKeys.apiKeyHash)
    }
}

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

/// A citizen's session. The bearer token is never stored, only its SHA-256.
public struct SessionRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "sessions"

    public var id: String
    public var tokenHash: Data
    public var citizenID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(id: String, tokenHash: Data, citizenID: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.tokenHash = tokenHash
        self.citizenID = citizenID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public enum Columns {
        public static let tokenHash = Column(CodingKeys.tokenHash)
    }
}

// Hand-written row decoding for the records read on every request: GRDB's Codable path
// (case-insensitive key lookup, generic metadata, casts) cost more than the queries themselves.

extension CitizenRecord {
    public init(row: Row) throws {
        self.init(id: row["id"], mobileHash: row["mobileHash"], mobileSealed: row["mobileSealed"], dekWrapped: row["dekWrapped"],
                  kekVersion: row["kekVersion"], dekVersion: row["dekVersion"], createdAt: row["createdAt"])
    }
}

extension SessionRecord {
    public init(row: Row) throws {
        self.init(id: row["id"], tokenHash: row["tokenHash"], citizenID: row["citizenID"], createdAt: row["createdAt"],
                  expiresAt: row["expiresAt"], revokedAt: row["revokedAt"])
    }
}

extension DocumentRecord {
    public init(row: Row) throws {
        self.init(
            id: row["id"], ownerID: row["ownerID"], uri: row["uri"], issuerID: row["issuerID"], docType: row["docType"],
            issuerDocID: row["issuerDocID"], issuedOn: row["issuedOn"], version: row["version"], blobID: row["blobID"],
            contentKeyWrapped: row["contentKeyWrapped"], dekVersion: row["dekVersion"], size: row["size"], contentType: row["contentType"],
            contentSHA256: row["contentSHA256"], claimsSealed: row["claimsSealed"], signature: row["signature"], revokedAt: row["revokedAt"],
            createdAt: row["createdAt"], updatedAt: row["updatedAt"], metadataSHA256: row["metadataSHA256"], holderSealed: row["holderSealed"])
    }
}
