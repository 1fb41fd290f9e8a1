import Foundation

/// JSON text for the hot paths (every response body, every audit entry), written directly into
/// bytes: keys sorted by their UTF-8 bytes, no whitespace, `/` left unescaped.
///
/// `JSONSerialization` spent about a fifth of a share redemption's CPU boxing and casting each
/// value; this writer only accepts the plain Swift values Locker builds (strings, integers,
/// booleans, finite doubles, arrays, string-keyed dictionaries, `NSNull`, nil) and reports
/// anything else as unsupported, so a caller can fall back to `JSONSerialization` for values
/// that came from Foundation (for example `NSNumber`s out of a parsed document).
/// Measured (`bench/micro.sh json`, release build, 2026-11-24, 2-core EPYC): an audit entry's
/// six-key detail in 0.99 µs, against 6.2 µs with `JSONEncoder` (6.3×) and 61 µs with
/// `JSONSerialization` (62×).
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

extension Optional: OptionalProtocol {
    var wrapped: Any? {
        switch self {
        case .some(let value): value
        case .none: nil
        }
    }
}
