import CQREncode
import LockerCore

/// A QR symbol made by Debian's libqrencode: `size` × `size` modules, `true` for dark.
struct QRCode: Sendable {
    let size: Int
    let modules: [Bool]

    /// Modules of light margin on each side (ISO/IEC 18004's quiet zone).
    static let quietZone = 4

    /// libqrencode could not encode the text (too long for version 40).
    struct TooLong: Error {}

    /// The QR of a SMART Health Card as its specification encodes it: `shc:/` in byte mode,
    /// the two-digit-per-character JWS in numeric mode, error correction L, the smallest
    /// version that fits.
    static func healthCard(jws: String) throws -> QRCode {
        guard let input = QRinput_new2(0, QR_ECLEVEL_L) else { throw TooLong() }
        defer { QRinput_free(input) }
        let prefix = Array(HealthCardQR.prefix.utf8)
        let digits = Array(HealthCardQR.digits(jws).utf8)
        guard QRinput_append(input, QR_MODE_8, Int32(prefix.count), prefix) == 0,
              QRinput_append(input, QR_MODE_NUM, Int32(digits.count), digits) == 0,
              let code = QRcode_encodeInput(input) else { throw TooLong() }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        // Bit 0 of each byte is the module's colour (1 dark); the other bits describe its role.
        let modules = (0..<width * width).map { code.pointee.data[$0] & 1 == 1 }
        return QRCode(size: width, modules: modules)
    }

    /// Whether the module at (x, y) of the symbol with its quiet zone is dark.
    func isDark(x: Int, y: Int) -> Bool {
        let (mx, my) = (x - Self.quietZone, y - Self.quietZone)
        guard mx >= 0, my >= 0, mx < size, my < size else { return false }
        return modules[my * size + mx]
    }

    /// The symbol as SVG: one path of dark module squares on a white square, quiet zone
    /// included, scaled by the viewer.
    func svg(scale: Int = 5) -> String {
        let side = size + 2 * Self.quietZone
        var path = ""
        for y in 0..<side {
            for x in 0..<side where isDark(x: x, y: y) { path += "M\(x) \(y)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * scale)" height="\(side * scale)" shape-rendering="crispEdges">\
            <rect width="\(side)" height="\(side)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>

            """
    }
}
