import CZlib
import LockerCore

/// The symbol as a PNG: 8-bit greyscale, black modules on white, `scale` pixels per module,
/// quiet zone included (PNG, RFC 2083: signature, IHDR, one zlib IDAT, IEND).
extension QRCode {
    func png(scale: Int = 5) throws -> [UInt8] {
        let side = (size + 2 * Self.quietZone) * scale
        var raw = [UInt8]()
        raw.reserveCapacity(side * (side + 1))
        for py in 0..<side {
            raw.append(0)  // filter type None
            for px in 0..<side { raw.append(isDark(x: px / scale, y: py / scale) ? 0 : 255) }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        // Width, height, bit depth 8, colour type 0 (greyscale), deflate, filter 0, no interlace.
        Self.chunk("IHDR", Self.bigEndian(side) + Self.bigEndian(side) + [8, 0, 0, 0, 0], into: &png)
        Self.chunk("IDAT", try Deflate.compress(raw, raw: false), into: &png)
        Self.chunk("IEND", [], into: &png)
        return png
    }

    private static func bigEndian(_ n: Int) -> [UInt8] {
        [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
    }

    /// Length, type, data, and the CRC-32 of type and data.
    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let body = Array(type.utf8) + data
        png += bigEndian(data.count) + body
        let crc = body.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        png += bigEndian(Int(crc))
    }
}
