import Foundation
import GRDB
import Testing
@testable import LockerStore

/// Each hot record declares its columns once (`CodingKeys`, which the compiler holds to the
/// stored properties); the SELECT list and inserts derive from it. This holds that list to the
/// table a fresh database actually has, so a migration and a record cannot drift apart.
@Suite("Record columns")
struct RecordColumnsTests {
    static func tableColumns(_ db: Database, _ table: String) throws -> [String] {
        try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String }
    }

    @Test("every hot record's CodingKeys name exactly its table's columns, and the selection lists them in that order")
    func matchTables() throws {
        let storage = TempStorage()
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        let database = try LockerDatabase(path: storage.path + "/locker.sqlite")
        func check<R: HotRow & TableRecord, K: CodingKey & CaseIterable>(_: R.Type, _: K.Type) throws {
            let declared = K.allCases.map(\.stringValue)
            let table = try database.pool.read { db in try Self.tableColumns(db, R.databaseTableName) }
            #expect(Set(declared) == Set(table), "\(R.self) vs table \(R.databaseTableName)")
            #expect(declared.count == table.count, "\(R.self): \(declared.count) declared, \(table.count) in the table")
            #expect(R.selection == declared.joined(separator: ", "))
        }
        try check(CitizenRecord.self, CitizenRecord.CodingKeys.self)
        try check(DocumentRecord.self, DocumentRecord.CodingKeys.self)
        try check(IssuerRecord.self, IssuerRecord.CodingKeys.self)
        try check(SessionRecord.self, SessionRecord.CodingKeys.self)
        try check(ShareRecord.self, ShareRecord.CodingKeys.self)
    }
}
