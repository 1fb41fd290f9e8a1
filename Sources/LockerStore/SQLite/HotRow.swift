import Foundation
import GRDB
import GRDBSQLite
import LockerCore

/// Decoding by column position, straight from the stepped SQLite statement, for the records
/// every request reads (session, citizen, document, grant). GRDB's `Codable` decoding finds
/// each column by a lower-cased name lookup, and even its position-based `Row` builds a
/// dictionary of every column's lower-cased name per query (measured: a third of a grant
/// lookup on the serialized writer). Each type's `selection` and `init(selected:)` sit side
/// by side, in the same order, and `HotRowTests` checks every one against the `Codable`
/// decoding of the same row.
public protocol HotRow {
    /// The SELECT list, in the order `init(selected:)` reads it.
    static var selection: String { get }
    /// Reads the record from `row`, its first column at `base`.
    init(selected row: SelectedRow, at base: Int) throws
}

func unexpectedNull(_ statement: SQLiteStatement, _ index: CInt) -> StoreError {
    StoreError("column \(String(cString: sqlite3_column_name(statement, index))) is unexpectedly NULL")
}

extension String: ColumnValue {}
extension Data: ColumnValue {}
extension Int: ColumnValue {}
extension Int64: ColumnValue {}

extension Date: ColumnValue {
    /// Stored date text (`Timestamp.sqliteText`) is parsed by hand: GRDB's own `Date`
    /// decoding goes through `Calendar`. Any other stored form is left to GRDB.
    public static func read(_ statement: SQLiteStatement, _ index: CInt) throws -> Date {
        if sqlite3_column_type(statement, index) == SQLITE_TEXT, sqlite3_column_bytes(statement, index) == 23,
           let text = sqlite3_column_text(statement, index),
           let date = Timestamp.parseSQLiteText(UnsafeBufferPointer(start: text, count: 23)) {
            return date
        }
        guard let value = Date.fromStatement(statement, atUncheckedIndex: index) else { throw unexpectedNull(statement, index) }
        return value
    }
}

extension Optional: ColumnValue where Wrapped: ColumnValue {
    public static func read(_ statement: SQLiteStatement, _ index: CInt) throws -> Wrapped? {
        if sqlite3_column_type(statement, index) == SQLITE_NULL { return nil }
        return try Wrapped.read(statement, index)
    }
}

extension Statement {
    /// The first row of this statement, decoded by `decode`, or nil.
    func fetchFirst<T>(arguments: StatementArguments, _ decode: @escaping (SelectedRow) throws -> T) throws -> T? {
        try SelectedRowCursor(self, arguments: arguments, decode: decode).next()
    }

    /// Every row of this statement, decoded by `decode`.
    func fetchAll<T>(arguments: StatementArguments, _ decode: @escaping (SelectedRow) throws -> T) throws -> [T] {
        try Array(SelectedRowCursor(self, arguments: arguments, decode: decode))
    }
}

extension HotRow {
    /// The first row of `statement` (which selects `selection`), or nil.
    static func fetchFirst(_ statement: Statement, arguments: StatementArguments) throws -> Self? {
        try statement.fetchFirst(arguments: arguments) { try Self(selected: $0, at: 0) }
    }

    /// `selection` with every column qualified by `alias` (for joins).
    static func selection(as alias: String) -> String {
        selection.split(separator: ",").map { "\(alias).\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }.joined(separator: ", ")
    }

    /// The comma-separated column list of a record's `CodingKeys`, in declaration order.
    static func columnList<Key: CodingKey & CaseIterable>(_: Key.Type) -> String {
        Key.allCases.map(\.stringValue).joined(separator: ", ")
    }

    /// How many columns `selection` lists.
    static var columnCount: Int { selection.split(separator: ",").count }
}

extension CitizenRecord: HotRow {
    public static let selection = columnList(CodingKeys.self)

    public init(selected row: SelectedRow, at base: Int) throws {
        self.init(id: try row.decode(atIndex: base + 0), mobileHash: try row.decode(atIndex: base + 1), mobileSealed: try row.decode(atIndex: base + 2),
                  dekWrapped: try row.decode(atIndex: base + 3), kekVersion: try row.decode(atIndex: base + 4), dekVersion: try row.decode(atIndex: base + 5),
                  createdAt: try row.decode(atIndex: base + 6))
    }
}

extension IssuerRecord: HotRow {
    public static let selection = columnList(CodingKeys.self)

    public init(selected row: SelectedRow, at base: Int) throws {
        self.init(id: try row.decode(atIndex: base + 0), name: try row.decode(atIndex: base + 1), publicKey: try row.decode(atIndex: base + 2),
                  apiKeyHash: try row.decode(atIndex: base + 3), disabled: try row.decode(atIndex: base + 4) as Int != 0,
                  createdAt: try row.decode(atIndex: base + 5))
        docTypes = try row.decode(atIndex: base + 6)
    }
}

extension SessionRecord: HotRow {
    public static let selection = columnList(CodingKeys.self)

    public init(selected row: SelectedRow, at base: Int) throws {
        self.init(id: try row.decode(atIndex: base + 0), tokenHash: try row.decode(atIndex: base + 1), citizenID: try row.decode(atIndex: base + 2),
                  createdAt: try row.decode(atIndex: base + 3), expiresAt: try row.decode(atIndex: base + 4), revokedAt: try row.decode(atIndex: base + 5))
    }
}

extension DocumentRecord: HotRow {
    public static let selection = columnList(CodingKeys.self)

    public init(selected row: SelectedRow, at base: Int) throws {
        self.init(id: try row.decode(atIndex: base + 0), ownerID: try row.decode(atIndex: base + 1), uri: try row.decode(atIndex: base + 2),
                  issuerID: try row.decode(atIndex: base + 3), docType: try row.decode(atIndex: base + 4), issuerDocID: try row.decode(atIndex: base + 5),
                  issuedOn: try row.decode(atIndex: base + 6), version: try row.decode(atIndex: base + 7), blobID: try row.decode(atIndex: base + 8),
                  contentKeyWrapped: try row.decode(atIndex: base + 9), dekVersion: try row.decode(atIndex: base + 10), size: try row.decode(atIndex: base + 11),
                  contentType: try row.decode(atIndex: base + 12), contentSHA256: try row.decode(atIndex: base + 13), claimsSealed: try row.decode(atIndex: base + 14),
                  signature: try row.decode(atIndex: base + 15), revokedAt: try row.decode(atIndex: base + 16), createdAt: try row.decode(atIndex: base + 17),
                  updatedAt: try row.decode(atIndex: base + 18), metadataSHA256: try row.decode(atIndex: base + 19), holderSealed: try row.decode(atIndex: base + 20))
    }
}

extension ShareRecord: HotRow {
    public static let selection = columnList(CodingKeys.self)

    public init(selected row: SelectedRow, at base: Int) throws {
        let scopeText: String = try row.decode(atIndex: base + 4)
        guard let scope = Scope(rawValue: scopeText) else { throw StoreError("grant has an unknown scope \(scopeText.debugDescription)") }
        self.init(id: try row.decode(atIndex: base + 0), tokenHash: try row.decode(atIndex: base + 1), documentID: try row.decode(atIndex: base + 2),
                  ownerID: try row.decode(atIndex: base + 3), scope: scope, label: try row.decode(atIndex: base + 5), maxUses: try row.decode(atIndex: base + 6),
                  usesSpent: try row.decode(atIndex: base + 7), passcodeHash: try row.decode(atIndex: base + 8), wrongPasscodes: try row.decode(atIndex: base + 9),
                  createdAt: try row.decode(atIndex: base + 10), expiresAt: try row.decode(atIndex: base + 11), revokedAt: try row.decode(atIndex: base + 12))
    }
}

extension DocumentRecord {
    /// Inserts the row with one cached statement, columns in `selection` order (the push path's
    /// commit; GRDB's `Codable` insert builds its arguments through an encoder per call).
    private static let insertSQL = "INSERT INTO documents (\(selection)) VALUES (\(Array(repeating: "?", count: columnCount).joined(separator: ", ")))"

    public func insertHot(_ db: Database) throws {
        let s = try db.cachedStatement(sql: Self.insertSQL)
        try s.execute(arguments: [
            id, ownerID, uri, issuerID, docType, issuerDocID, issuedOn, version, blobID, contentKeyWrapped, dekVersion, size,
            contentType, contentSHA256, claimsSealed, signature, revokedAt.map(Timestamp.sqliteText), Timestamp.sqliteText(createdAt), Timestamp.sqliteText(updatedAt),
            metadataSHA256, holderSealed,
        ])
    }
}
