import Foundation
import GRDB

/// The `inlineBlobs` table: id → sealed bytes.
public enum InlineBlobs {
    /// Stores a blob; call inside the transaction that saves the document referencing it.
    public static func insert(_ db: Database, id: String, bytes: Data) throws {
        try db.cachedStatement(sql: "INSERT INTO inlineBlobs (id, bytes) VALUES (?, ?)").execute(arguments: [id, bytes])
    }

    /// Removes a blob (a replaced version); no-op for file blobs.
    public static func remove(_ db: Database, id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM inlineBlobs WHERE id = ?").execute(arguments: [id])
    }

    static func fetch(_ db: Database, id: String) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT bytes FROM inlineBlobs WHERE id = ?"), arguments: [id])
    }
}
