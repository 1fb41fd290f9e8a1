import Foundation
import GRDB

/// `CitizenRepository` on the SQLite database.
public struct SQLiteCitizenRepository: CitizenRepository {
    let database: LockerDatabase

    public init(database: LockerDatabase) {
        self.database = database
    }

    public func insert(_ citizen: CitizenRecord) throws {
        try database.pool.write { db in try citizen.insert(db) }
    }

    public func find(id: String) throws -> CitizenRecord? {
        try database.read { db in try HotQueries.citizen(db, id: id) }
    }

    public func find(mobileHash: Data) throws -> CitizenRecord? {
        try database.read { db in try HotQueries.citizen(db, mobileHash: mobileHash) }
    }

    public func countByKEKVersion() throws -> [Int: Int] {
        try database.read { db in try LockerDatabase.countByKEKVersion(db, table: "citizens") }
    }
}
