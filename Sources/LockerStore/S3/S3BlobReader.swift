import Foundation
import NIOCore

/// Reads one object with ranged GETs, keeping at most one window of it in memory: a 100 KB
/// document is one GET, a large one is fetched window by window as its segments are decrypted.
final class S3BlobReader: BlobReader {
    private let client: S3Client
    private let key: String
    private let window: Int
    let size: Int
    private var cache: ByteBuffer
    private var cacheStart = 0

    /// Opens `key` by fetching its first window (which also tells the object's size).
    init(client: S3Client, key: String, window: Int = 256 * 1024) throws {
        self.client = client
        self.key = key
        self.window = window
        let (bytes, total) = try client.get(key: key, range: 0..<window)
        size = total
        cache = bytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, count: Int, at offset: Int) throws -> Int {
        let wanted = max(0, min(count, size - offset))
        guard wanted > 0 else { return 0 }
        if offset < cacheStart || offset + wanted > cacheStart + cache.readableBytes {
            let end = min(size, offset + max(wanted, window))
            cache = try client.get(key: key, range: offset..<end).bytes
            cacheStart = offset
        }
        let available = min(wanted, cacheStart + cache.readableBytes - offset)
        cache.withUnsafeReadableBytes { raw in
            buffer.baseAddress!.copyMemory(from: raw.baseAddress! + (offset - cacheStart), byteCount: available)
        }
        return available
    }

    func close() {
        cache = ByteBuffer()
    }
}
