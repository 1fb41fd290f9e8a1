/// Finds a key that appears twice in one JSON object, anywhere in a document.
///
/// Parsers disagree about duplicates: Foundation keeps one, Python and JavaScript keep the last.
/// A signed push whose metadata said `"mobile"` twice went to one number in Locker while common
/// tools read the other from the same signed bytes. Every JSON body Locker signs, stores or
/// acts on is checked here first, and a duplicate is refused. Keys are compared after decoding
/// their escapes (`"m\u006fbile"` is `"mobile"`). Syntax errors are left to the real parser;
/// nesting deeper than `maxDepth` is refused.
public enum JSONDuplicateKeys {
    /// Nesting limit (Foundation's own parser refuses deeper documents as well).
    public static let maxDepth = 512

    /// What was wrong.
    public enum Failure: Error, Equatable, Sendable {
        case duplicate(key: String)
        case tooDeep
    }

    /// The first duplicated key, or nil if there is none (or the text is not JSON at all).
    public static func check(_ bytes: some Collection<UInt8>) throws(Failure) {
        let array = Array(bytes)
        var scanner = Scanner(bytes: array)
        do {
            try scanner.value(depth: 0)
        } catch let failure as Failure {
            throw failure
        } catch {
            return // malformed: the JSON decoder that follows says so
        }
    }

    /// Why `bytes` is refused, in words for a problem's detail ("repeats the key \"mobile\""),
    /// or nil if it holds no duplicate.
    public static func refusal(_ bytes: some Collection<UInt8>) -> String? {
        do {
            try check(bytes)
            return nil
        } catch .duplicate(let key) {
            return "repeats the key \(JSONText.string(String(key.prefix(64)))) in one object; each key may appear once"
        } catch {
            return "is nested more than \(maxDepth) levels deep"
        }
    }

    private struct Malformed: Error {}

    private struct Scanner {
        let bytes: [UInt8]
        var at = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func value(depth: Int) throws {
            guard depth <= JSONDuplicateKeys.maxDepth else { throw Failure.tooDeep }
            skipSpace()
            guard at < bytes.count else { throw Malformed() }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var keys = Set<String>()
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return }
                while true {
                    skipSpace()
                    let key = try string()
                    guard keys.insert(key).inserted else { throw Failure.duplicate(key: key) }
                    skipSpace()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw Malformed() }
                    at += 1
                    try value(depth: depth + 1)
                    skipSpace()
                    guard at < bytes.count else { throw Malformed() }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "}") else { throw Malformed() }
                    at += 1
                    return
                }
            case UInt8(ascii: "["):
                at += 1
                skipSpace()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return }
                while true {
                    try value(depth: depth + 1)
                    skipSpace()
                    guard at < bytes.count else { throw Malformed() }
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "]") else { throw Malformed() }
                    at += 1
                    return
                }
            case UInt8(ascii: "\""):
                _ = try string()
            default:
                // A number or a literal: runs to the next delimiter.
                let start = at
                while at < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
                guard at > start else { throw Malformed() }
            }
        }

        /// A string, its escapes decoded.
        mutating func string() throws -> String {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw Malformed() }
            at += 1
            var out = [UInt8]()
            var pendingHigh: UInt32?
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                if b == UInt8(ascii: "\"") {
                    if let high = pendingHigh { appendScalar(high, to: &out) }
                    return String(decoding: out, as: UTF8.self)
                }
                guard b == UInt8(ascii: "\\") else {
                    if let high = pendingHigh { appendScalar(high, to: &out); pendingHigh = nil }
                    out.append(b)
                    continue
                }
                guard at < bytes.count else { throw Malformed() }
                let e = bytes[at]
                at += 1
                if e == UInt8(ascii: "u") {
                    guard at + 4 <= bytes.count, let unit = UInt32(String(decoding: bytes[at..<(at + 4)], as: UTF8.self), radix: 16) else { throw Malformed() }
                    at += 4
                    if let high = pendingHigh {
                        pendingHigh = nil
                        if (0xDC00...0xDFFF).contains(unit) {
                            appendScalar(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), to: &out)
                            continue
                        }
                        appendScalar(high, to: &out)
                    }
                    if (0xD800...0xDBFF).contains(unit) { pendingHigh = unit } else { appendScalar(unit, to: &out) }
                    continue
                }
                if let high = pendingHigh { appendScalar(high, to: &out); pendingHigh = nil }
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                default: out.append(e) // \" \\ \/
                }
            }
            throw Malformed()
        }

        /// Appends a scalar as UTF-8; a lone surrogate becomes U+FFFD, as decoders do.
        func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }
}
