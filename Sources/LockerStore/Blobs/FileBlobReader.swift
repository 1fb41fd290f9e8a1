import Glibc
import Foundation
import LockerCore

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
