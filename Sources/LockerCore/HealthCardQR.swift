/// The QR text of a SMART Health Card (smarthealth.cards, "Encoding Chunks as QR codes"):
/// `shc:/` then, for each character of the compact JWS, its code minus 45 as two decimal
/// digits, so the whole card fits QR's numeric mode.
public enum HealthCardQR {
    /// The `shc:/` prefix, encoded in byte mode ahead of the numeric digits.
    public static let prefix = "shc:/"

    /// Two digits per JWS character (`-` is 00, `z` is 77).
    public static func digits(_ jws: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(jws.utf8.count * 2)
        for c in jws.utf8 {
            let v = Int(c) - 45
            out.append(UInt8(ascii: "0") + UInt8(v / 10))
            out.append(UInt8(ascii: "0") + UInt8(v % 10))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The whole QR text, `shc:/` and the digits.
    public static func text(_ jws: String) -> String { prefix + digits(jws) }

    /// The JWS back from QR text; nil without the prefix, with an odd number of digits, or a
    /// pair outside the base64url-and-dot range.
    public static func jws(fromText text: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        let digits = Array(text.utf8.dropFirst(prefix.utf8.count))
        guard digits.count % 2 == 0, digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            let v = Int(digits[i] - 48) * 10 + Int(digits[i + 1] - 48)
            guard v <= 77 else { return nil }
            out.append(UInt8(v + 45))
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}
