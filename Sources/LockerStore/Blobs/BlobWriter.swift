import Glibc
import Foundation
import LockerCore

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
