import CZlib

/// Raw DEFLATE (RFC 1951) undone through the system zlib, for the payloads of scanned QR
/// codes (`zip: DEF`). Bounded: a scanned code is untrusted, and a few hundred bytes of
/// DEFLATE can claim megabytes.
public enum Inflate {
    /// The input is not one complete raw DEFLATE stream, or it inflates past the limit.
    public struct Failure: Error, Sendable {
        public let status: Int32
    }

    /// Inflates a raw DEFLATE stream (windowBits -15) of at most `limit` bytes of output.
    public static func decompressRaw(_ input: [UInt8], limit: Int = 1 << 20) throws -> [UInt8] {
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw Failure(status: initStatus) }
        defer { inflateEnd(&stream) }
        var source = input
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var status = Z_OK
        try source.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = uInt(inBuffer.count)
            while status == Z_OK {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                output += chunk.prefix(produced)
                guard output.count <= limit else { throw Failure(status: Z_BUF_ERROR) }
                // No progress with input left means a truncated or corrupt stream.
                if status == Z_BUF_ERROR || (status == Z_OK && produced == 0 && stream.avail_in == 0) { break }
            }
        }
        guard status == Z_STREAM_END, stream.avail_in == 0 else { throw Failure(status: status == Z_STREAM_END ? Z_DATA_ERROR : status) }
        return output
    }
}
