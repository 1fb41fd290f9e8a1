import Foundation
import GRDB
import LockerCore

/// `BlobStore` over the `inlineBlobs` table (id → sealed bytes) and a `BlobFiles` folder. The
/// only code that writes `inlineBlobs`: a push stores its row through `insertInline` inside the
/// group commit that saves the document.
public struct SQLiteBlobStore: BlobStore {
    let database: LockerDatabase
    /// The file half (`Storage/blobs/XX/ID`).
    public let files: any BlobFiles

    public init(database: LockerDatabase, files: any BlobFiles) {
        self.database = database
        self.files = files
    }

    public func create(inlineLimit: Int) throws -> SpillingBlobWriter {
        let files = self.files
        return SpillingBlobWriter(id: SecureRandom.orderedIdentifier(), limit: inlineLimit, makeFile: { id in try files.create(id: id) })
    }

    public func putInline(id: String, bytes: Data) throws {
        try database.pool.write { db in try Self.insertInline(db, id: id, bytes: bytes) }
    }

    public func open(_ id: String, plaintextSize: Int?) throws -> any BlobReader {
        func inline() throws -> (any BlobReader)? {
            try database.read { db in try Self.fetchInline(db, id: id) }.map { MemoryBlobReader($0) }
        }
        // Documents stored before inline blobs existed are files whatever their size.
        if let plaintextSize, Envelope.sealedSize(plaintextSize: plaintextSize) <= Vault.inlineBlobLimit, let reader = try inline() {
            return reader
        }
        do {
            return try files.open(id)
        } catch {
            guard let reader = try inline() else { throw error }
            return reader
        }
    }

    public func delete(_ id: String) throws {
        try database.pool.write { db in try Self.removeInline(db, id: id) }
        try files.remove(id)
    }

    public func fileIDs() throws -> [String] { try files.allIDs() }

    public var isRemote: Bool { files.isRemote }

    public func sweepOrphans(referenced: Set<String>) throws -> Int {
        var removed = try files.removeTemporaries()
        for id in try files.orphanCandidates() where !referenced.contains(id) {
            try files.remove(id)
            removed += 1
        }
        return removed
    }

    /// Stores an inline blob; call inside the transaction that saves the document referencing it.
    static func insertInline(_ db: Database, id: String, bytes: Data) throws {
        try db.cachedStatement(sql: "INSERT INTO inlineBlobs (id, bytes) VALUES (?, ?)").execute(arguments: [id, bytes])
    }

    /// Removes an inline blob (a replaced version) in the caller's transaction; no-op for a file blob.
    static func removeInline(_ db: Database, id: String) throws {
        try db.cachedStatement(sql: "DELETE FROM inlineBlobs WHERE id = ?").execute(arguments: [id])
    }

    static func fetchInline(_ db: Database, id: String) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT bytes FROM inlineBlobs WHERE id = ?"), arguments: [id])
    }
}
