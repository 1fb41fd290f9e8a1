import Foundation
import GRDB
import LockerCore

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

    /// The stored columns, in the order the hot readers select them (`HotRow.selection` and
    /// inserts derive from this list; the compiler holds it to the properties, and
    /// `RecordColumnsTests` to the table).
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, publicKey, apiKeyHash, disabled, createdAt, docTypes
    }

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
