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

    /// Free text shown to people (a share label, a KYC purpose): 1…`max` Unicode scalars, no
    /// control characters (C0, DEL, C1), not blank. The OpenAPI patterns say exactly this.
    public static func printableText(_ s: String, max: Int) -> Bool {
        let scalars = s.unicodeScalars
        guard (1...max).contains(scalars.count) else { return false }
        guard !scalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }) else { return false }
        return scalars.contains { !($0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
    }
}

/// A document URI, `issuerId-DOCTYPE-docId`, as DigiLocker forms them.
public struct DocumentURI: Sendable, Hashable, CustomStringConvertible {
    public let issuerID: String
    public let docType: String
    public let docID: String

    public init?(issuerID: String, docType: String, docID: String) {
        guard Validate.issuerID(issuerID), Validate.docType(docType), Validate.docID(docID) else { return nil }
        self.issuerID = issuerID
        self.docType = docType
        self.docID = docID
    }

    /// Parses `issuer-TYPE-docId`; nil for anything malformed.
    public init?(_ string: String) {
        guard let first = string.firstIndex(of: "-") else { return nil }
        let rest = string[string.index(after: first)...]
        guard let second = rest.firstIndex(of: "-") else { return nil }
        self.init(issuerID: String(string[..<first]), docType: String(rest[..<second]), docID: String(rest[rest.index(after: second)...]))
    }

    public var description: String { "\(issuerID)-\(docType)-\(docID)" }
}
