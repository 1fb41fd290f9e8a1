import Foundation

/// What an issuer says about the citizen in a push. Kept sealed under the citizen's data key.
public struct PushMetadata: Codable, Sendable, Equatable {
    public var mobile: String
    public var docType: String
    public var docId: String
    public var issuedOn: String
    public var claims: [String: ClaimValue]

    /// Checks every field; returns the first problem as a sentence, or nil.
    public func problem() -> String? {
        guard Validate.mobile(mobile) else { return "mobile must be an E.164 number such as +919876543210" }
        guard Validate.docType(docType) else { return "docType must be five capital letters, such as VACER" }
        guard Validate.docID(docId) else { return "docId must be 1-64 characters of A-Z a-z 0-9 . _ -" }
        guard Validate.date(issuedOn) else { return "issuedOn must be a date YYYY-MM-DD" }
        if docType == "VACER" { return VaccinationClaims(claims).problem }
        return nil
    }
}

/// A claim value: the JSON scalars an issuer may use.
public enum ClaimValue: Codable, Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Strings first: most claims are strings, and every refused attempt throws (and builds)
        // a DecodingError. A JSON value matches one of the three kinds at most, so the order
        // changes nothing else.
        if let v = try? c.decode(String.self) { self = .string(v); return }
        if let v = try? c.decode(Int.self) { self = .int(v); return }
        if let v = try? c.decode(Bool.self) { self = .bool(v); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "claims hold strings, integers or booleans")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        }
    }

    public var string: String? { if case .string(let v) = self { v } else { nil } }
    public var int: Int? { if case .int(let v) = self { v } else { nil } }
}

/// The claims of a vaccination certificate (`VACER`).
public struct VaccinationClaims: Sendable {
    public let name: String?
    public let dosesReceived: Int?
    public let dosesRequired: Int?
    public let vaccine: String?
    public let lastDoseOn: String?

    public init(_ claims: [String: ClaimValue]) {
        name = claims["name"]?.string
        dosesReceived = claims["dosesReceived"]?.int
        dosesRequired = claims["dosesRequired"]?.int
        vaccine = claims["vaccine"]?.string
        lastDoseOn = claims["lastDoseOn"]?.string
    }

    /// The first thing wrong with these claims, or nil.
    public var problem: String? {
        guard let name, (1...200).contains(name.count), !name.trimmingCharacters(in: .whitespaces).isEmpty else { return "claims.name must be 1-200 characters" }
        guard let dosesReceived, (0...10).contains(dosesReceived) else { return "claims.dosesReceived must be an integer 0-10" }
        guard let dosesRequired, (1...10).contains(dosesRequired) else { return "claims.dosesRequired must be an integer 1-10" }
        guard let vaccine, (1...100).contains(vaccine.count) else { return "claims.vaccine must be 1-100 characters" }
        if dosesReceived > 0 {
            guard let lastDoseOn, Validate.date(lastDoseOn) else { return "claims.lastDoseOn must be a date YYYY-MM-DD when doses were received" }
        } else if let lastDoseOn, !Validate.date(lastDoseOn) {
            return "claims.lastDoseOn must be a date YYYY-MM-DD"
        }
        return nil
    }

    /// 0 not vaccinated, 1 partially, 2 fully.
    public var status: Int {
        guard let dosesReceived, let dosesRequired, dosesReceived > 0 else { return 0 }
        return dosesReceived >= dosesRequired ? 2 : 1
    }
}
