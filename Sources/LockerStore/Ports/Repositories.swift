import Foundation
import GRDB

/// Citizens, by id or by keyed mobile hash.
public protocol CitizenRepository: Sendable {
    func insert(_ citizen: CitizenRecord) throws
    func find(id: String) throws -> CitizenRecord?
    func find(mobileHash: Data) throws -> CitizenRecord?
    /// How many data keys each KEK version wraps.
    func countByKEKVersion() throws -> [Int: Int]
}

/// Documents' metadata.
public protocol DocumentRepository: Sendable {
    /// Inserts a new document or replaces the row with the same id.
    func save(_ document: DocumentRecord) throws
    func find(id: String) throws -> DocumentRecord?
    func find(uri: String) throws -> DocumentRecord?
    func list(ownerID: String) throws -> [DocumentRecord]
    /// Every blob id a row references, for the start-up sweep.
    func referencedBlobIDs() throws -> Set<String>
}

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

/// `DocumentRepository` on the SQLite database.
public struct SQLiteDocumentRepository: DocumentRepository {
    let database: LockerDatabase

    public init(database: LockerDatabase) {
        self.database = database
    }

    public func save(_ document: DocumentRecord) throws {
        try database.pool.write { db in try document.save(db) }
    }

    public func find(id: String) throws -> DocumentRecord? {
        try database.read { db in try HotQueries.document(db, id: id) }
    }

    public func find(uri: String) throws -> DocumentRecord? {
        try database.read { db in try HotQueries.document(db, uri: uri) }
    }

    public func list(ownerID: String) throws -> [DocumentRecord] {
        try database.read { db in
            try DocumentRecord.filter(DocumentRecord.Columns.ownerID == ownerID)
                .order(DocumentRecord.Columns.createdAt.desc).fetchAll(db)
        }
    }

    public func referencedBlobIDs() throws -> Set<String> {
        try database.pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT blobID FROM documents"))
        }
    }
}
