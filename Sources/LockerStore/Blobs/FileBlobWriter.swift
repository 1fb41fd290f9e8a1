import Glibc
import Foundation
import LockerCore

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
