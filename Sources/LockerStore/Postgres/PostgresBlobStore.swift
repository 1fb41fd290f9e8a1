import Foundation
import LockerCore
import PostgresNIO

/// Sealed documents as rows of `blobChunks` (id, n, bytes), or, with an object store
/// (`files`), small ones as rows and larger ones as objects. A row blob is kept whole in memory
/// while it is sealed and written by the push's own transaction, so a document and its bytes
/// commit together; an object is acknowledged by the store before that transaction commits.
public struct PostgresBlobStore: BlobStore {
    let pool: PostgresPool
    /// The object store for blobs above the inline limit; nil keeps every blob in the database.
    public let files: (any BlobFiles)?

    /// Blobs in `pool`'s database, and in `files` when given.
    public init(pool: PostgresPool, files: (any BlobFiles)? = nil) {
        self.pool = pool
        self.files = files
    }
    /// Bytes per row: large enough that a certificate is one row, small enough that PostgreSQL
    /// never moves a huge value in one message.
    static let chunkSize = 256 * 1024
    /// The largest sealed blob kept in memory while it is written.
    static let memoryLimit = 64 << 20

    public func create(inlineLimit: Int) throws -> SpillingBlobWriter {
        if let files { return SpillingBlobWriter(id: SecureRandom.orderedIdentifier(), limit: inlineLimit, makeFile: { id in try files.create(id: id) }) }
        return SpillingBlobWriter(id: SecureRandom.orderedIdentifier(), limit: Self.memoryLimit, makeFile: { _ in
            throw StoreError("a document above \(Self.memoryLimit >> 20) MiB sealed does not fit the PostgreSQL blob store")
        })
    }

    public func putInline(id: String, bytes: Data) throws {
        try pool.transaction { c in try Self.insert(c, id: id, bytes: bytes) }
    }

    public func open(_ id: String, plaintextSize: Int?) throws -> any BlobReader {
        if let files, let plaintextSize, Envelope.sealedSize(plaintextSize: plaintextSize) > Vault.inlineBlobLimit {
            do {
                return try files.open(id)
            } catch let error as S3Unavailable {
                throw error
            } catch {
                // A blob copied in before the object store was configured is still in the database.
                if let reader = try? openRows(id) { return reader }
                throw error
            }
        }
        do {
            return try openRows(id)
        } catch {
            // Size unknown: a blob not in the database may be an object.
            guard let files, plaintextSize == nil else { throw error }
            return try files.open(id)
        }
    }

    private func openRows(_ id: String) throws -> any BlobReader {
        let chunks = try pool.withConnection { c in try c.query("SELECT bytes FROM blobChunks WHERE id = \(id) ORDER BY n") }
        guard !chunks.isEmpty else { throw StoreError("blob \(id) is not in the database") }
        var bytes = Data()
        for chunk in chunks { bytes.append(try chunk.decode(0, as: Data.self)) }
        return MemoryBlobReader(bytes)
    }

    public func delete(_ id: String) throws {
        try pool.withConnection { c in try c.execute("DELETE FROM blobChunks WHERE id = \(id)") }
        try files?.remove(id)
    }

    /// The objects in the store (none without one).
    public func fileIDs() throws -> [String] { try files?.allIDs() ?? [] }

    public var isRemote: Bool { files?.isRemote ?? false }

    /// Chunks no document references (a push's transaction writes both or neither, so only a
    /// copy by `locker migrate` cut short can leave any), and objects past their grace period
    /// that no document references. One node sweeps the store at a time (an advisory lock);
    /// another that finds it taken skips this round.
    public func sweepOrphans(referenced: Set<String>) throws -> Int {
        var removed = try pool.withConnection { c in
            try c.execute("DELETE FROM blobChunks b WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.blobID = b.id)")
        }
        guard let files else { return removed }
        try pool.withConnection { c in
            guard try c.query("SELECT pg_try_advisory_lock(\(Self.sweepLock))").first?.decode(0, as: Bool.self) == true else { return }
            defer { _ = try? c.query("SELECT pg_advisory_unlock(\(Self.sweepLock))") }
            for id in try files.orphanCandidates() where !referenced.contains(id) {
                try files.remove(id)
                removed += 1
            }
        }
        return removed
    }

    /// The advisory-lock key of the object-store sweep ("LOCKBLOB").
    static let sweepLock: Int64 = 0x4C4F_434B_424C_4F42

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
