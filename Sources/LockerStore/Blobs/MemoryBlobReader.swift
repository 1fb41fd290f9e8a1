import Foundation
import GRDB

/// A blob read from memory (an inline blob fetched from the database).
final class MemoryBlobReader: BlobReader {
    private let bytes: Data
    init(_ bytes: Data) { self.bytes = bytes }
    var size: Int { bytes.count }

    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) throws -> Int {
        let n = max(0, min(count, bytes.count - offset))
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
        }
        return n
    }

    func close() {}
}
