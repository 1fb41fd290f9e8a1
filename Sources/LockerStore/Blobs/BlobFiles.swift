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
}

extension BlobFiles {
    /// Starts a new blob under a fresh random id.
    public func create() throws -> any BlobWriter {
        try create(id: SecureRandom.identifier())
    }
}
