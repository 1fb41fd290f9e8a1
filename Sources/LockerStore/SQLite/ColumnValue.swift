import Foundation
import GRDB
import GRDBSQLite
import LockerCore

/// A value read from one column of a stepped statement.
public protocol ColumnValue {
    static func read(_ statement: SQLiteStatement, _ index: CInt) throws -> Self
}

/// Non-null columns of GRDB's column-convertible types: read straight from the statement.
extension ColumnValue where Self: StatementColumnConvertible {
    public static func read(_ statement: SQLiteStatement, _ index: CInt) throws -> Self {
        guard let value = Self.fromStatement(statement, atUncheckedIndex: index) else { throw unexpectedNull(statement, index) }
        return value
    }
}
