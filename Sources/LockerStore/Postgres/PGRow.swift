import Foundation
import PostgresNIO

/// One result row, read by column name. PostgreSQL folds unquoted names to lower case, so the
/// records' camel-case names are looked up folded.
public struct PGRow {
    let row: PostgresRandomAccessRow
    /// Prepended to every name looked up: a join selects each table's columns as `x_name`.
    var prefix = ""

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try row[prefix + column.lowercased()].decode(T.self)
    }

    public func decode<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        try row[index].decode(T.self)
    }

    func contains(_ column: String) -> Bool { row.contains(prefix + column.lowercased()) }

    func isNull(_ column: String) -> Bool { row[prefix + column.lowercased()].bytes == nil }

    /// The columns a join selected as `prefix_name` (`PGSelect.columns(of:as:)`), as one record.
    public func record<R: Decodable>(_ type: R.Type = R.self, prefix: String) throws -> R {
        var view = self
        view.prefix = prefix + "_"
        return try view.record(R.self)
    }

    /// The row as a record, through the record's own `Decodable` conformance.
    public func record<R: Decodable>(_ type: R.Type = R.self) throws -> R {
        do {
            return try R(from: PGRowDecoder(row: self))
        } catch {
            // Never a client's fault: a stored row that does not read back is a server error.
            throw StoreError("a \(R.self) row does not decode: \(error)")
        }
    }
}
