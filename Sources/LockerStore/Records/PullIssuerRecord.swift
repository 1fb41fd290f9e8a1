import Foundation
import GRDB

/// An issuer that keeps its own records and is asked for a citizen's document when the citizen
/// wants it (DigiLocker's Issuer API: Pull URI, Pull Doc). Its shared API key is stored sealed
/// (Locker must compute HMACs with it), never in plaintext.
public struct PullIssuerRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "pullIssuers"

    /// A search field the citizen fills (`UDF1`…`UDF5`, `FullName`, `DOB`) and its label.
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var label: String
        public init(name: String, label: String) {
            self.name = name
            self.label = label
        }
    }

    public var id: String
    public var name: String
    public var url: String
    /// Document types it answers for, comma-separated.
    public var docTypes: String
    /// The search fields as JSON (`[Field]`).
    public var fields: String
    public var keySealed: Data
    public var disabled: Bool
    public var createdAt: Date

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, url, docTypes, fields, keySealed, disabled, createdAt
    }

    public init(id: String, name: String, url: String, docTypes: [String], fields: [Field], keySealed: Data, disabled: Bool = false, createdAt: Date) {
        self.id = id
        self.name = name
        self.url = url
        self.docTypes = docTypes.joined(separator: ",")
        self.fields = String(decoding: (try? JSONEncoder().encode(fields)) ?? Data("[]".utf8), as: UTF8.self)
        self.keySealed = keySealed
        self.disabled = disabled
        self.createdAt = createdAt
    }

    public var docTypeList: [String] { docTypes.split(separator: ",").map(String.init) }
    public var fieldList: [Field] { (try? JSONDecoder().decode([Field].self, from: Data(fields.utf8))) ?? [] }
}
