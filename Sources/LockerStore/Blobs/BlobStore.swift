import Glibc
import Foundation
import LockerCore

/// Sealed document bytes, addressed by a random blob id. Implementations make a committed blob
/// durable before `commit()` returns; the metadata row that references it is written after.
public protocol BlobStore: Sendable {
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

extension BlobStore {
    /// Starts a new blob under a fresh random id.
    public func create() throws -> any BlobWriter {
        try create(id: SecureRandom.identifier())
    }
}

/// An unfinished blob.
public protocol BlobWriter: AnyObject {
    /// The id the blob will have once committed.
    var id: String { get }
    /// Appends bytes.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes the bytes to stable storage before the metadata commit (the slow part).
    func sync() throws
    /// Makes the blob visible under its id and durable (rename + directory fsync).
    func commit() throws
    /// Discards the blob.
    func abort()
}

/// A committed blob opened for random-access reads.
public protocol BlobReader: AnyObject {
    /// Total size in bytes.
    var size: Int { get }
    /// Reads up to `count` bytes at `offset` into `buffer`; returns how many were read.
    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) throws -> Int
    /// Releases the file.
    func close()
}

/// Blobs as files under `Storage/blobs/XX/ID`, written temp → fsync → rename → directory fsync.
public struct FileBlobStore: BlobStore {
    let layout: StorageLayout

    public init(layout: StorageLayout) {
        self.layout = layout
    }

    func path(of id: String) throws -> String {
        // Ids are ours (random hex), but a corrupted row must still never reach outside the folder.
        guard id.count == 32, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw StoreError("invalid blob id")
        }
        return "\(layout.blobDirectory)/\(id.prefix(2))/\(id)"
    }

    public func create(id: String) throws -> any BlobWriter {
        let final = try path(of: id)
        let temp = "\(layout.blobTempDirectory)/\(id).tmp"
        let fd = try POSIXFile.open(temp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        return FileBlobWriter(id: id, fd: fd, tempPath: temp, finalPath: final)
    }

    public func open(_ id: String) throws -> any BlobReader {
        let path = try path(of: id)
        let fd = try POSIXFile.open(path, O_RDONLY)
        do {
            let size = try POSIXFile.fileSize(fd, path: path)
            return FileBlobReader(fd: fd, path: path, size: size)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    public func remove(_ id: String) throws {
        let path = try path(of: id)
        if unlink(path) != 0 && errno != ENOENT {
            throw StoreError("cannot remove blob \(path): \(POSIXFile.errnoText())")
        }
    }

    public func allIDs() throws -> [String] {
        let fm = FileManager.default
        var ids = [String]()
        for shard in 0..<256 {
            let dir = layout.blobDirectory + "/" + Hex.encode([UInt8(shard)])
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            ids.append(contentsOf: names)
        }
        return ids
    }

    public func removeTemporaries() throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.blobTempDirectory)) ?? []
        for name in names {
            unlink(layout.blobTempDirectory + "/" + name)
        }
        return names.count
    }
}

/// Writes one blob. Not shared between tasks: the push that creates it owns it.
final class FileBlobWriter: BlobWriter {
    let id: String
    private var fd: Int32
    private let tempPath: String
    private let finalPath: String

    init(id: String, fd: Int32, tempPath: String, finalPath: String) {
        self.id = id
        self.fd = fd
        self.tempPath = tempPath
        self.finalPath = finalPath
    }

    deinit {
        if fd >= 0 { abort() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try POSIXFile.writeAll(fd, bytes, path: tempPath)
    }

    func sync() throws {
        try POSIXFile.fsync(fd, path: tempPath)
    }

    func commit() throws {
        try sync()
        Glibc.close(fd)
        fd = -1
        try POSIXFile.rename(tempPath, finalPath)
        try POSIXFile.fsyncDirectory(POSIXFile.parentDirectory(of: finalPath))
    }

    func abort() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        unlink(tempPath)
    }
}

/// Reads one committed blob with `pread`, so one reader may serve sequential segment reads.
final class FileBlobReader: BlobReader {
    private var fd: Int32
    private let path: String
    let size: Int

    init(fd: Int32, path: String, size: Int) {
        self.fd = fd
        self.path = path
        self.size = size
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) throws -> Int {
        try POSIXFile.pread(fd, into: buffer, count: count, offset: offset, path: path)
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
