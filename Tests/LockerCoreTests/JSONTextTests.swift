import Foundation
import Testing
@testable import LockerCore

@Suite("JSON text writer and timestamps")
struct JSONTextTests {
    /// Parses with Foundation's parser, so the writer is checked by someone else's reader.
    func parse(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    @Test("hostile strings survive a round trip through Foundation's parser")
    func strings() throws {
        let hostile = ["", "plain", "quote \" backslash \\ slash /", "line\nfeed\rreturn\ttab", "\u{0}\u{1}\u{1f}\u{7f}",
                       "हिन्दी नाम", "emoji 👩🏽‍⚕️", "</script><script>alert(1)</script>", "\u{2028}\u{2029}"]
        for s in hostile {
            let text = try JSONText.encode(s)
            #expect(try parse(text) as? String == s, "\(s.debugDescription)")
            #expect(!text.contains(where: { $0 < 0x20 }), "raw control byte in \(s.debugDescription)")
            #expect(JSONText.string(s) == String(decoding: text, as: UTF8.self))
        }
        #expect(JSONText.string("a\u{1}b") == #""a\u0001b""#)
    }

    @Test("objects have sorted keys and nest; values keep their JSON types")
    func objects() throws {
        let value: [String: Any] = [
            "zeta": 1, "alpha": "a", "mid": ["b": true, "a": false] as [String: Any], "list": [1, "two", NSNull(), 2.5] as [Any],
            "big": Int64(9_007_199_254_740_993), "none": String?.none as Any, "some": String?.some("x") as Any, "neg": -3, "whole": 4.0,
        ]
        let text = String(decoding: try JSONText.encode(value), as: UTF8.self)
        #expect(text.hasPrefix(#"{"alpha":"a","big":9007199254740993,"list":[1,"two",null,2.5],"mid":{"a":false,"b":true},"neg":-3,"none":null,"#))
        #expect(text.hasSuffix(#""some":"x","whole":4,"zeta":1}"#))
        let parsed = try #require(try parse(Array(text.utf8)) as? [String: Any])
        #expect(parsed["alpha"] as? String == "a")
        #expect((parsed["list"] as? [Any])?.count == 4)
    }

    @Test("a flat audit detail matches the general writer")
    func flatObject() throws {
        let detail = ["share": "abc", "userAgent": "Mozilla/5.0 \"quoted\"", "client": "127.0.0.1", "Z": "upper sorts first"]
        #expect(JSONText.object(detail) == String(decoding: try JSONText.encode(detail), as: UTF8.self))
        #expect(JSONText.object([:]) == "{}")
        #expect(try parse(Array(JSONText.object(detail).utf8)) as? [String: String] == detail)
        #expect(JSONText.object(detail).hasPrefix(#"{"Z":"#))
    }

    @Test("values it does not know, and non-finite numbers, are refused rather than guessed")
    func unsupported() {
        #expect(throws: JSONText.Unsupported.self) { try JSONText.encode(Date()) }
        #expect(throws: JSONText.Unsupported.self) { try JSONText.encode(["x": Double.nan] as [String: Any]) }
        #expect(throws: JSONText.Unsupported.self) { try JSONText.encode([Data()] as [Any]) }
    }

    @Test("timestamps are RFC 3339 UTC seconds, the same as ISO8601DateFormatter's")
    func timestamps() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for t in [0, 1, 59.999, 951_782_400, 1_795_420_353.7, 4_102_444_799, -86_400.5] as [TimeInterval] {
            let date = Date(timeIntervalSince1970: t)
            #expect(Timestamp.string(date) == formatter.string(from: date), "\(t)")
        }
        #expect(Timestamp.string(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}

@Suite("base64url")
struct Base64URLTests {
    @Test("round trips every length and byte; matches Foundation's base64 after the alphabet swap")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(Base64URL.decode(encoded) == bytes)
            let standard = Data(bytes).base64EncodedString()
            #expect(encoded == standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: ""))
            let padded = encoded + String(repeating: "=", count: (4 - encoded.utf8.count % 4) % 4)
            #expect(Base64URL.decode(padded) == bytes, "padded form of \(length) bytes")
        }
    }

    @Test("refuses characters outside the alphabet, padding in the middle, and impossible lengths")
    func refusals() {
        for bad in ["ab+c", "ab/c", "ab c", "a=bc", "abcde", "ab===", "é", "abc=d", "a==="] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
        #expect(Base64URL.decode("") == [])
    }
}
