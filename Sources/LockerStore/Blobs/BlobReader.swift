import Glibc
import Foundation
import LockerCore

/// A committed blob opened for random-access reads.
public protocol BlobReader: AnyObject {
    /// Total size in bytes.
    var size: Int { get }
    /// Reads up to `count` bytes at `offset` into `buffer`; returns how many were read.
    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) throws -> Int
    /// Releases the file.
    func close()
}
