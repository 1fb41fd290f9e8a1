import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One storage folder has one `lockerd`: an exclusive `flock` on `Storage/lockerd.lock`, taken
/// at start-up and held until the process exits (the kernel drops it even on `kill -9`). The
/// holder writes its pid into the file so a second `lockerd` can name it. The `locker` CLI does
/// not take it: it works beside a running server, coordinating through the keyring and rewrap
/// locks and SQLite's own locking.
public final class StorageLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Path of the lock file under `layout`.
    public static func path(_ layout: StorageLayout) -> String { layout.root + "/lockerd.lock" }

    /// Takes the lock or throws one line naming the process that holds it.
    public static func acquire(_ layout: StorageLayout) throws -> StorageLock {
        let path = path(layout)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError("cannot open lock file \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            let who = Int32(holder).map { "another lockerd (pid \($0))" } ?? "another lockerd"
            throw StoreError("storage folder \(layout.root) is in use by \(who); one storage folder serves one lockerd")
        }
        let pid = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, pid, pid.count, 0) == pid.count else {
            close(fd)
            throw StoreError("cannot write lock file \(path)")
        }
        return StorageLock(fd: fd)
    }
}
