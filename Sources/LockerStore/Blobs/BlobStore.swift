import Foundation

/// Every document's sealed bytes, wherever they live: the one blob store the vault and the
/// push use. The adapter decides by size: a small blob is kept inline (a row written in the
/// same transaction as its document, so it rides that commit's fsync), a larger one spills to
/// a file made durable before the commit. Formats on disk and in the database are unchanged.
public protocol BlobStore: Sendable {
    /// Starts a new blob under a fresh id; it stays in memory (inline) while its sealed size is
    /// at most `inlineLimit`, then spills to a file.
    func create(inlineLimit: Int) throws -> SpillingBlobWriter
    /// Stores a finished small blob's bytes on its own (outside a document's transaction).
    func putInline(id: String, bytes: Data) throws
    /// Opens a blob, inline or file. `plaintextSize` (the document's size) says where to look
    /// first, so a small document's download makes no failed `open()`.
    func open(_ id: String, plaintextSize: Int?) throws -> any BlobReader
    /// Deletes a blob wherever it lives (idempotent).
    func delete(_ id: String) throws
    /// Ids of the blobs kept as files (inline ones live beside their document).
    func fileIDs() throws -> [String]
    /// Removes unfinished temp files and the file blobs not in `referenced` (left by a crash
    /// between a blob's fsync and its document's commit); returns how many were removed.
    func sweepOrphans(referenced: Set<String>) throws -> Int
    /// Whether large blobs are across a network (an object store): reads may wait.
    var isRemote: Bool { get }
}

extension BlobStore {
    /// Stores finished sealed bytes under a fresh id, inline when they fit in `inlineLimit`,
    /// else as a durable file; returns the id.
    public func put(_ bytes: [UInt8], inlineLimit: Int = Vault.inlineBlobLimit) throws -> String {
        let writer = try create(inlineLimit: inlineLimit)
        do {
            try bytes.withUnsafeBytes { try writer.write($0) }
            if let inline = writer.inlineBytes {
                try putInline(id: writer.id, bytes: inline)
            } else {
                try writer.commit()
            }
        } catch {
            writer.abort()
            throw error
        }
        return writer.id
    }
}
