import Foundation
import GRDB
import GRDBSQLite
import LockerCore

/// The current row of a stepped statement, read by column position. Valid only until the
/// statement steps again.
public struct SelectedRow {
    let statement: SQLiteStatement

    public func decode<T: ColumnValue>(atIndex index: Int) throws -> T {
        try T.read(statement, CInt(index))
    }
}
