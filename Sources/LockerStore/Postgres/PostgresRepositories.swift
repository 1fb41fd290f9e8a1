import Foundation
import PostgresNIO

/// `CitizenRepository` and `DocumentRepository` on PostgreSQL (the CLI's lookups and tests).
public struct PostgresRepositories: CitizenRepository, DocumentRepository {
    let pool: PostgresPool

    public func insert(_ citizen: CitizenRecord) throws {
        try pool.withConnection { c in try c.execute(PGColumns.insert(citizen, into: "citizens")) }
    }

    public func find(id: String) throws -> CitizenRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM citizens WHERE id = \(id)").first?.record() }
    }

    public func find(mobileHash: Data) throws -> CitizenRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM citizens WHERE mobileHash = \(mobileHash)").first?.record() }
    }

    public func countByKEKVersion() throws -> [Int: Int] {
        try PostgresVaultRecords(pool: pool).wrapCounts().dataKeys
    }

    public func save(_ document: DocumentRecord) throws {
        try PostgresVaultRecords(pool: pool).saveDocument(document, inlineBytes: nil)
    }

    public func find(id: String) throws -> DocumentRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM documents WHERE id = \(id)").first?.record() }
    }

    public func find(uri: String) throws -> DocumentRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM documents WHERE uri = \(uri)").first?.record() }
    }

    public func list(ownerID: String) throws -> [DocumentRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM documents WHERE ownerID = \(ownerID) ORDER BY createdAt DESC").map { try $0.record() } }
    }

    public func referencedBlobIDs() throws -> Set<String> {
        try PostgresVaultRecords(pool: pool).referencedBlobIDs()
    }
}
