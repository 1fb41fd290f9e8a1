import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerCore

/// A file whose identity changes whenever sessions are ended outside the server that cached
/// them (`locker citizens rekey` ends a citizen's sessions from the CLI). A running `lockerd`
/// compares its stamp, one `stat`, before trusting its session cache, so a revocation takes
/// effect on the very next request rather than when the cached entry ages out.
public struct SessionEpoch: Sendable {
    /// `Storage/db/session-epoch`.
    public let path: String

    public init(layout: StorageLayout) {
        path = layout.databaseDirectory + "/session-epoch"
    }

    /// Marks that sessions were ended: the file is replaced (a new inode), durably.
    public func bump() throws {
        try POSIXFile.writeAtomically(Array(SecureRandom.identifier().utf8), to: path, mode: 0o600)
    }

    /// Changes whenever `bump` runs; nil while it never has.
    public func stamp() -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_ino)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}
