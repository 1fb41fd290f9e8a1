import Crypto
import Foundation
import Glibc
import LockerCore

/// A blob on its way to the object store: sealed bytes go to an unlinked local temp file (no
/// name on disk, so a crash leaves nothing behind), hashed as they come; `commit()` PUTs them
/// and returns only once the store acknowledged them, before the row that references the blob
/// commits. Not shared between tasks: the push that creates it owns it.
final class S3BlobWriter: BlobWriter {
    let id: String
    private let client: S3Client
    private let key: String
    private var fd: Int32
    private var length = 0
    private var hasher = SHA256()

    init(id: String, key: String, client: S3Client, tempDirectory: String) throws {
        self.id = id
        self.key = key
        self.client = client
        let path = "\(tempDirectory)/\(id).s3tmp"
        fd = try POSIXFile.open(path, O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        unlink(path)
    }

    deinit { abort() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try POSIXFile.writeAll(fd, bytes, path: "blob temp file")
        hasher.update(bufferPointer: bytes)
        length += bytes.count
    }

    /// Nothing to make durable here: the store's acknowledgement of the PUT is the durability.
    func sync() throws {}

    func commit() throws {
        guard fd >= 0 else { throw StoreError("blob \(id) was already committed or aborted") }
        try client.put(key: key, fd: fd, length: length, sha256: Hex.encode(Array(hasher.finalize())))
        abort()
    }

    func abort() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
