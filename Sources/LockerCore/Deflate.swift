import CZlib

/// DEFLATE through the system zlib: raw (no zlib header, RFC 1951) as SMART Health Cards'
/// `zip: DEF` requires, or a zlib stream (RFC 1950) as PNG's `IDAT` requires.
public enum Deflate {
    /// zlib refused the input (it never should for an in-memory buffer of a bounded size).
    public struct Failure: Error, Sendable {
        public let status: Int32
    }

    /// Compresses `input` in one call at the best compression level; `raw` drops the zlib
    /// header and Adler-32 trailer (windowBits -15).
    public static func compress(_ input: [UInt8], raw: Bool) throws -> [UInt8] {
        var stream = z_stream()
        let initStatus = deflateInit2_(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, raw ? -15 : 15, 8, Z_DEFAULT_STRATEGY,
                                       zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw Failure(status: initStatus) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var source = input
        let status = source.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(status: status) }
        return Array(output.prefix(Int(stream.total_out)))
    }
}
