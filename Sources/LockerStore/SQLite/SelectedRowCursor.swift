import Foundation
import GRDB
import GRDBSQLite
import LockerCore

/// A cursor over a cached statement that hands each stepped row to `decode` as a
/// `SelectedRow` (no `Row`, no column-name dictionary). Resets the statement when released,
/// as GRDB's cursors do, so no read stays open.
final class SelectedRowCursor<Element>: DatabaseCursor {
    let _statement: Statement
    var _isDone = false
    private let decode: (SelectedRow) throws -> Element

    init(_ statement: Statement, arguments: StatementArguments, decode: @escaping (SelectedRow) throws -> Element) throws {
        _statement = statement
        self.decode = decode
        try statement.setArguments(arguments)
    }

    deinit {
        sqlite3_reset(_statement.sqliteStatement)
    }

    func _element(sqliteStatement: SQLiteStatement) throws -> Element {
        try decode(SelectedRow(statement: sqliteStatement))
    }
}
