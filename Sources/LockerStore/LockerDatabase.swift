import Foundation
import GRDB

/// The SQLite metadata database: one WAL `DatabasePool`, opened once, migrated on open.
///
/// `synchronous = FULL` so that a committed transaction survives power loss, not just a crash:
/// a push acknowledged with 2xx must be there after `kill -9` and after a reboot.
public final class LockerDatabase: Sendable {
    /// The pool every repository shares.
    public let pool: DatabasePool

    /// Opens (creating if needed) and migrates the database at `path`.
    public init(path: String, readOnly: Bool = false) throws {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError("cannot open database \(path): \(Self.describe(error))")
        }
        if !readOnly {
            do {
                try Self.migrator.migrate(pool)
            } catch {
                throw StoreError("cannot migrate database \(path): \(Self.describe(error))")
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let dbError = error as? DatabaseError {
            return dbError.message ?? "SQLite error \(dbError.resultCode.rawValue)"
        }
        return "\(type(of: error))"
    }

    /// Shipped migrations never change; new ones are appended.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-citizens-documents") { db in
            try db.create(table: "citizens") { t in
                t.primaryKey("id", .text)
                t.column("mobileHash", .blob).notNull().unique()
                t.column("mobileSealed", .blob).notNull()
                t.column("dekWrapped", .blob).notNull()
                t.column("kekVersion", .integer).notNull().indexed()
                t.column("dekVersion", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "documents") { t in
                t.primaryKey("id", .text)
                t.column("ownerID", .text).notNull().indexed().references("citizens")
                t.column("uri", .text).notNull().unique()
                t.column("issuerID", .text).notNull()
                t.column("docType", .text).notNull()
                t.column("issuerDocID", .text).notNull()
                t.column("issuedOn", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("blobID", .text).notNull().unique()
                t.column("contentKeyWrapped", .blob).notNull()
                t.column("dekVersion", .integer).notNull()
                t.column("size", .integer).notNull()
                t.column("contentType", .text).notNull()
                t.column("contentSHA256", .blob).notNull()
                t.column("claimsSealed", .blob)
                t.column("signature", .blob)
                t.column("revokedAt", .datetime)
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        return migrator
    }
}
