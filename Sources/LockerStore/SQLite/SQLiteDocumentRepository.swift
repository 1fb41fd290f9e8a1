import Foundation
import GRDB

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
