/// The numeric-mode text of a compact JWS, as SMART Health Cards encode it ("Encoding Chunks
/// as QR codes"): for each character, its code minus 45 as two decimal digits, so the whole
/// token fits QR's numeric mode (about 3.3 bits a digit instead of 8 a byte). Shared by
/// `shc:/` cards and Locker's `locker:/` status QR.
public enum NumericQR {
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

    /// The JWS back from its digits; nil for an odd count, a non-digit, or a pair outside the
    /// base64url-and-dot range.
    public static func jws<Digits: Collection>(fromDigits digits: Digits) -> String? where Digits.Element == UInt8 {
        let digits = Array(digits)
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

    /// The JWS of QR text that starts with `prefix`; nil without it or with malformed digits.
    public static func jws(fromText text: String, prefix: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        return jws(fromDigits: text.utf8.dropFirst(prefix.utf8.count))
    }
}
