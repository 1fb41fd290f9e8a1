import Foundation

/// JSON text for the hot paths (every response body, every audit entry), written directly into
/// bytes: keys sorted by their UTF-8 bytes, no whitespace, `/` left unescaped.
///
/// `JSONSerialization` spent about a fifth of a share redemption's CPU boxing and casting each
/// value; this writer only accepts the plain Swift values Locker builds (strings, integers,
/// booleans, finite doubles, arrays, string-keyed dictionaries, `NSNull`, nil) and reports
/// anything else as unsupported, so a caller can fall back to `JSONSerialization` for values
/// that came from Foundation (for example `NSNumber`s out of a parsed document).
public enum JSONText {
    public struct Unsupported: Error, CustomStringConvertible {
        public let typeName: String
        public var description: String { "JSONText cannot write a value of type \(typeName)" }
    }

    /// The JSON text of `value`, or `Unsupported` for a type outside the list above.
    public static func encode(_ value: Any) throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        try write(value, into: &out)
        return out
    }

    /// A flat string-to-string object, as the audit log's `detail` column holds.
    public static func object(_ fields: [String: String]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(32 * fields.count + 2)
        writeObject(fields, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A string-to-string object, keys sorted.
    static func writeObject(_ fields: [String: String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (i, key) in sortedKeys(fields.keys).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            writeString(fields[key]!, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal (with the quotes) for `s`.
    public static func string(_ s: String) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count + 2)
        writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func sortedKeys(_ keys: some Collection<String>) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func write(_ value: Any, into out: inout [UInt8]) throws {
        // Exact type checks: on Linux a Swift `Int` may also cast to `Bool` or `NSNumber`
        // and the reverse, so `as?` alone would be ambiguous.
        let type = Swift.type(of: value)
        if type == String.self {
            writeString(value as! String, into: &out)
        } else if type == Int.self {
            out.append(contentsOf: String(value as! Int).utf8)
        } else if type == Bool.self {
            out.append(contentsOf: (value as! Bool) ? Array("true".utf8) : Array("false".utf8))
        } else if type == Int64.self {
            out.append(contentsOf: String(value as! Int64).utf8)
        } else if type == Int32.self {
            out.append(contentsOf: String(value as! Int32).utf8)
        } else if type == UInt8.self {
            out.append(contentsOf: String(value as! UInt8).utf8)
        } else if type == Double.self {
            let d = value as! Double
            guard d.isFinite else { throw Unsupported(typeName: "non-finite Double") }
            if d == d.rounded(), abs(d) < 1e15 {
                out.append(contentsOf: String(Int64(d)).utf8)
            } else {
                out.append(contentsOf: "\(d)".utf8)
            }
        } else if type == NSNull.self {  // not `is NSNull`: that bridges every dictionary to NSDictionary first
            out.append(contentsOf: "null".utf8)
        } else if let dict = value as? [String: String], type != NSDictionary.self {
            writeObject(dict, into: &out)
        } else if let dict = value as? [String: Any], type != NSDictionary.self {
            out.append(UInt8(ascii: "{"))
            for (i, key) in sortedKeys(dict.keys).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(dict[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        } else if let array = value as? [Any], type != NSArray.self {
            out.append(UInt8(ascii: "["))
            for (i, element) in array.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        } else if let optional = value as? OptionalProtocol {
            if let wrapped = optional.wrapped { try write(wrapped, into: &out) } else { out.append(contentsOf: "null".utf8) }
        } else {
            throw Unsupported(typeName: String(describing: type))
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// RFC 8259 string: `"` and `\` escaped, control characters as short or `\u00XX` escapes,
    /// everything else (including non-ASCII) as its UTF-8 bytes.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: Array("u00".utf8))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                }
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Lets `JSONText` see through an `Optional` stored in an `Any`.
protocol OptionalProtocol {
    var wrapped: Any? { get }
}

extension Optional: OptionalProtocol {
    var wrapped: Any? {
        switch self {
        case .some(let value): value
        case .none: nil
        }
    }
}

/// UTC date text without a `DateFormatter` (which costs microseconds per call through ICU):
/// RFC 3339 to the second for the API, and SQLite's date text for stored dates.
public enum Timestamp {
    /// `2026-11-23T08:52:33Z`: seconds truncated, as `ISO8601DateFormatter` does.
    public static func string(_ date: Date) -> String {
        text(seconds: time_t(floor(date.timeIntervalSince1970)), millis: nil, separator: UInt8(ascii: "T"), zulu: true)
    }

    /// `2026-11-23 08:52:33.123`, exactly as GRDB stores a `Date` (its shared `DateFormatter`
    /// rounds to the nearest millisecond), so rows written either way compare and decode alike.
    public static func sqliteText(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        return text(seconds: time_t(seconds), millis: Int(ms - seconds * 1000), separator: UInt8(ascii: " "), zulu: false)
    }

    /// Reads `sqliteText`'s form back (`2026-11-23 08:52:33.123`, UTC); nil for anything
    /// else, including impossible dates, so a caller can fall back to a general parser.
    public static func parseSQLiteText(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count == 23, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: ".") else { return nil }
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<(start + count) {
                let digit = b[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millis = number(20, 3),
              (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...monthDays).contains(day) else { return nil }
        // Days since 1970-01-01 from the civil date (the proleptic Gregorian calendar).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(millis) / 1000)
    }

    static func text(seconds: time_t, millis: Int?, separator: UInt8, zulu: Bool) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var v = value
            let start = out.count
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
            for i in stride(from: start + width - 1, through: start, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(Int(parts.tm_year) + 1900, 4); out.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mon) + 1, 2); out.append(UInt8(ascii: "-"))
        put(Int(parts.tm_mday), 2); out.append(separator)
        put(Int(parts.tm_hour), 2); out.append(UInt8(ascii: ":"))
        put(Int(parts.tm_min), 2); out.append(UInt8(ascii: ":"))
        put(Int(parts.tm_sec), 2)
        if let millis {
            out.append(UInt8(ascii: "."))
            put(millis, 3)
        }
        if zulu { out.append(UInt8(ascii: "Z")) }
        return String(decoding: out, as: UTF8.self)
    }
}
