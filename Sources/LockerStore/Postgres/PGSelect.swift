import Foundation

/// Select lists for joins: each table's columns qualified and renamed `alias_column`, so the
/// records decode side by side (`PGRow.record(_:prefix:)`).
enum PGSelect {
    static func columns<K: CodingKey & CaseIterable>(_ keys: K.Type, as alias: String) -> String {
        K.allCases.map { "\(alias).\($0.stringValue) AS \(alias)_\($0.stringValue.lowercased())" }.joined(separator: ", ")
    }

    static var share: String { columns(ShareRecord.CodingKeys.self, as: "s") }
    static var document: String { columns(DocumentRecord.CodingKeys.self, as: "d") }
    static var citizen: String { columns(CitizenRecord.CodingKeys.self, as: "c") }
    static var session: String { columns(SessionRecord.CodingKeys.self, as: "se") }

    /// True when issuer `i` is enabled and registered for the document type `d.docType`
    /// (PostgreSQL's twin of `IssuerRecord.issuesDocTypeSQL`).
    static let issuerVouches = "NOT i.disabled AND position(',' || d.docType || ',' IN ',' || i.docTypes || ',') > 0"
}
