import Foundation

/// Syntax rules for identifiers that arrive from outside. Each returns nil (or false) rather
/// than throwing, so callers can phrase the error for their audience.
public enum Validate {
    /// E.164: "+", a non-zero digit, then 7–14 more digits.
    public static func mobile(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count >= 9, u.count <= 16, u[0] == UInt8(ascii: "+"), u[1] >= UInt8(ascii: "1"), u[1] <= UInt8(ascii: "9") else { return false }
        return u.dropFirst().allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Document type: exactly five capital letters (`VACER`).
    public static func docType(_ s: String) -> Bool {
        s.utf8.count == 5 && s.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5a }
    }

    /// Issuer's document id: 1–64 of `A–Z a–z 0–9 . _ -`.
    public static func docID(_ s: String) -> Bool {
        (1...64).contains(s.utf8.count) && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// Issuer id: 3–64 of lowercase letters, digits and dots, starting and ending alphanumeric.
    /// No hyphens, so a document URI `issuer-TYPE-docId` splits unambiguously.
    public static func issuerID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (3...64).contains(u.count), let first = u.first, let last = u.last else { return false }
        let ok: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) }
        return ok(first) && ok(last) && u.allSatisfy { ok($0) || $0 == UInt8(ascii: ".") }
    }

    /// An OAuth 2.0 redirect URI a partner may register (RFC 6749 §3.1.2, RFC 8252 §7): absolute,
    /// no fragment, no user info, printable ASCII, at most 2,000 characters; `https` to any
    /// host, `http` only to a loopback address, or a native app's private-use scheme in
    /// reverse-domain form (`in.cowin.app:/callback`). Matched later exactly as registered.
    public static func redirectURI(_ s: String) -> Bool {
        guard (1...2000).contains(s.utf8.count), s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }),
              !s.contains("#"), let url = URL(string: s), let scheme = url.scheme?.lowercased() else { return false }
        guard url.user == nil, url.password == nil else { return false }
        switch scheme {
        case "https":
            return url.host.map { !$0.isEmpty } ?? false
        case "http":
            return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host ?? "")
        default:
            // A private-use scheme: a reversed domain name with at least one dot.
            let ok = scheme.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            return ok && scheme.contains(".") && !["javascript", "data", "file", "vbscript"].contains(scheme)
        }
    }

    /// Our own random ids: 32 lowercase hex characters.
    public static func localID(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// A calendar date `YYYY-MM-DD` that exists (no 2026-02-30), years 1900–2199.
    public static func date(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard s.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1900...2199).contains(y), (1...12).contains(m), d >= 1 else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// The latest `issuedOn` a push may carry at `now`: the UTC date one day after `now`. A
    /// certificate is not issued in the future; the day allows for clock skew and time zones
    /// ahead of UTC (India is UTC+5:30). Dates compare as strings (`YYYY-MM-DD`).
    ///
    /// Plain arithmetic (days since 1970 to a proleptic Gregorian date, as in Howard Hinnant's
    /// `civil_from_days`): it runs on every status answer, where a `Calendar` cost a few percent
    /// of the request (measured with perf).
    public static func latestIssueDate(now: Date) -> String {
        let days = Int((now.timeIntervalSince1970 / 86400).rounded(.down)) + 1
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// Free text that reaches a person or a log (a share label, a KYC purpose or name, an
    /// issuer's or verifier's name, a revocation reason): 1…`max` Unicode scalars, not blank,
    /// and only `displaySafe` scalars. The one validator for such fields; the OpenAPI patterns
    /// say the same.
    public static func displayText(_ s: String, max: Int) -> Bool {
        let scalars = s.unicodeScalars
        guard (1...max).contains(scalars.count), scalars.allSatisfy(displaySafe) else { return false }
        return scalars.contains { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r") }
    }

    /// The former name of `displayText` (which is now stricter: no format or separator
    /// characters either), kept so callers written against it get the same rule.
    public static func printableText(_ s: String, max: Int) -> Bool { displayText(s, max: max) }

    /// Whether a scalar may appear in text shown to people: no control characters (Cc: C0,
    /// DEL, C1, so no line breaks or tabs), no format characters (Cf: bidi overrides and
    /// isolates, which can reverse how a code displays; zero-width spaces; soft hyphens), no
    /// line or paragraph separators (Zl U+2028, Zp U+2029), which start a fake line. The one
    /// exception: ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER (U+200C, U+200D), which spelling
    /// in Indic scripts (and emoji) needs and which neither break lines nor reorder text.
    public static func displaySafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return false
        case .format: return scalar.value == 0x200C || scalar.value == 0x200D
        default: return true
        }
    }

    /// The longest run of consecutive decimal digits (Unicode Nd, any script: `7`, `७`, `٧`).
    public static func longestDigitRun(_ s: String) -> Int {
        var longest = 0, run = 0
        for scalar in s.unicodeScalars {
            run = scalar.properties.numericType == .decimal ? run + 1 : 0
            longest = Swift.max(longest, run)
        }
        return longest
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    }
}
