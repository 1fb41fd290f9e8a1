import Foundation
import LockerCore
import PostgresNIO

/// Sealed documents as rows of `blobChunks` (id, n, bytes), until an object store takes them.
/// A blob is kept whole in memory while it is sealed and written by the push's own transaction,
/// so a document and its bytes commit together and no node ever sees one without the other.
public struct PostgresBlobStore: BlobStore {
    let pool: PostgresPool
    /// Bytes per row: large enough that a certificate is one row, small enough that PostgreSQL
    /// never moves a huge value in one message.
    static let chunkSize = 256 * 1024
    /// The largest sealed blob kept in memory while it is written.
    static let memoryLimit = 64 << 20

    public func create(inlineLimit: Int) throws -> SpillingBlobWriter {
        SpillingBlobWriter(id: SecureRandom.orderedIdentifier(), limit: Self.memoryLimit, makeFile: { _ in
            throw StoreError("a document above \(Self.memoryLimit >> 20) MiB sealed does not fit the PostgreSQL blob store")
        })
    }

    public func putInline(id: String, bytes: Data) throws {
        try pool.transaction { c in try Self.insert(c, id: id, bytes: bytes) }
    }

    public func open(_ id: String, plaintextSize: Int?) throws -> any BlobReader {
        let chunks = try pool.withConnection { c in try c.query("SELECT bytes FROM blobChunks WHERE id = \(id) ORDER BY n") }
        guard !chunks.isEmpty else { throw StoreError("blob \(id) is not in the database") }
        var bytes = Data()
        for chunk in chunks { bytes.append(try chunk.decode(0, as: Data.self)) }
        return MemoryBlobReader(bytes)
    }

    public func delete(_ id: String) throws {
        try pool.withConnection { c in try c.execute("DELETE FROM blobChunks WHERE id = \(id)") }
    }

    /// No blob lives in a file.
    public func fileIDs() throws -> [String] { [] }

    /// Chunks no document references (a push's transaction writes both or neither, so only a
    /// copy by `locker migrate` cut short can leave any).
    public func sweepOrphans(referenced: Set<String>) throws -> Int {
        try pool.withConnection { c in
            try c.execute("DELETE FROM blobChunks b WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.blobID = b.id)")
        }
    }

    /// Writes a blob's chunks in the caller's transaction.
    static func insert(_ c: PGConnection, id: String, bytes: Data) throws {
        var n = 0
        var offset = bytes.startIndex
        repeat {
            let end = min(offset + chunkSize, bytes.endIndex)
            try c.execute("INSERT INTO blobChunks (id, n, bytes) VALUES (\(id), \(n), \(Data(bytes[offset..<end])))")
            n += 1
            offset = end
        } while offset < bytes.endIndex
    }
}
