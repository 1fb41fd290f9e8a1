import Foundation

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
