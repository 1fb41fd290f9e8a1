import Foundation
import LockerCore

/// Sealed document bytes kept as files, addressed by a random blob id: the large half of a
/// `BlobStore`. Implementations make a committed blob durable before `commit()` returns; the
/// metadata row that references it is written after.
public protocol BlobFiles: Sendable {
    /// Starts a new blob under `id`; nothing is visible under it until `commit()`.
    func create(id: String) throws -> any BlobWriter
    /// Opens a committed blob for reading.
    func open(_ id: String) throws -> any BlobReader
    /// Removes a blob (idempotent).
    func remove(_ id: String) throws
    /// Every committed blob id, for the start-up sweep.
    func allIDs() throws -> [String]
    /// Deletes unfinished temp files left by a crash.
    func removeTemporaries() throws -> Int
    /// The blob ids the orphan sweep may remove if no document references them: all of them for
    /// files (swept at start-up), only those older than a grace period in an object store.
    func orphanCandidates() throws -> [String]
    /// Whether blobs are across a network, so reading one may wait (downloads then read on the
    /// blocking-I/O pool, not on a request's event loop).
    var isRemote: Bool { get }
}

extension BlobFiles {
    /// Every committed blob: files are swept at start-up only, when no push is under way.
    public func orphanCandidates() throws -> [String] { try allIDs() }

    /// Removes a blob no row needs any more, ignoring failure (the orphan sweep retries): at
    /// once for a file, on a background thread for an object store, so a request's event loop
    /// never waits for the DELETE.
    public func removeUnreferenced(_ id: String) {
        guard isRemote else {
            try? remove(id)
            return
        }
        DispatchQueue.global().async { try? remove(id) }
    }

    /// Local files: a read does not wait on a network.
    public var isRemote: Bool { false }

    /// Starts a new blob under a fresh random id.
    public func create() throws -> any BlobWriter {
        try create(id: SecureRandom.identifier())
    }
}
