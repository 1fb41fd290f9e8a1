import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on a file (`flock`), shared by every process that opens the same path:
/// `locker` and `lockerd` use it so two rotations, or a rotation and a rewrap, never interleave
/// their changes to the keyring. The kernel drops it when the holder exits, even on `kill -9`,
/// so a crashed rotation never leaves the vault locked.
public final class FileLock {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Waits for the lock at `path`.
    public static func acquire(_ path: String) throws -> FileLock {
        let fd = try openLockFile(path)
        guard flock(fd, LOCK_EX) == 0 else {
            close(fd)
            throw StoreError("cannot lock \(path)")
        }
        return FileLock(fd: fd)
    }

    /// Takes the lock at `path` if no one holds it; nil if someone does.
    public static func tryAcquire(_ path: String) throws -> FileLock? {
        let fd = try openLockFile(path)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(fd: fd)
    }

    private static func openLockFile(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError("cannot open lock file \(path)") }
        return fd
    }
}
