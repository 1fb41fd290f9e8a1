import Crypto
import Foundation
import LockerCore
import Testing

@Suite("Status QR codes")
struct StatusQRTests {
    static let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 7, count: 32))

    /// A share statement as StatusService signs one (keys sorted, minified).
    static func statement(exp: Int = 1_900_000_300, valid: Bool = true) throws -> String {
        let payload = #"{"aud":"locker:share-status","docType":"VACER","exp":\#(exp),"iat":\#(exp - 300),"iss":"https://locker.example","#
            + #""issuedOn":"2026-11-01","issuer":"in.gov.cowin","jti":"0123456789abcdef0123456789abcdef","kind":"share-status","#
            + #""scope":"status","status":2,"valid":\#(valid)}"#
        return try CompactJWS.sign(encodedHeader: try CompactJWS.encodedHeader(kid: "k1", type: "share-status+jwt"),
                                   payloadJSON: Array(payload.utf8), key: key)
    }

    @Test("the QR holds the statement's own payload, compressed, under a zip: DEF header, signed by the same key")
    func samePayloadCompressed() throws {
        let statement = try Self.statement()
        let compressed = try StatusQR.compressedJWS(statement: statement, kid: "k1", key: Self.key)
        let parts = compressed.split(separator: ".").map(String.init)
        #expect(String(decoding: Base64URL.decode(parts[0])!, as: UTF8.self) == #"{"alg":"Ed25519","kid":"k1","typ":"share-status+jwt","zip":"DEF"}"#)
        let original = Base64URL.decode(String(statement.split(separator: ".")[1]))!
        #expect(try Inflate.decompressRaw(Base64URL.decode(parts[1])!) == original)
        #expect(Self.key.publicKey.isValidSignature(Base64URL.decode(parts[2])!, for: Array("\(parts[0]).\(parts[1])".utf8)))
    }

    @Test("the text is locker:/ then digit pairs, decodes back, and is shorter than the uncompressed statement's")
    func text() throws {
        let statement = try Self.statement()
        let compressed = try StatusQR.compressedJWS(statement: statement, kid: "k1", key: Self.key)
        let text = StatusQR.text(compressed)
        #expect(text.hasPrefix("locker:/") && text.dropFirst(8).allSatisfy(\.isNumber))
        #expect(StatusQR.jws(fromText: text) == compressed)
        #expect(text.count < StatusQR.prefix.count + NumericQR.digits(statement).count)
        #expect(StatusQR.jws(fromText: "locker:/567") == nil && StatusQR.jws(fromText: "shc:/5676") == nil)
        #expect(throws: StatusQR.Malformed.self) { try StatusQR.compressedJWS(statement: "not.a-jws", kid: "k1", key: Self.key) }
    }

    @Test("inflate is bounded and refuses truncated or foreign input")
    func inflateBounds() throws {
        let big = try Deflate.compress([UInt8](repeating: 0, count: 100_000), raw: true)
        #expect(try Inflate.decompressRaw(big).count == 100_000)
        #expect(throws: Inflate.Failure.self) { try Inflate.decompressRaw(big, limit: 1_000) }
        let small = try Deflate.compress(Array(#"{"a":1}"#.utf8), raw: true)
        #expect(throws: Inflate.Failure.self) { try Inflate.decompressRaw(Array(small.dropLast(2))) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decompressRaw(Array("plain text, not deflate".utf8)) }
        #expect(throws: Inflate.Failure.self) { try Inflate.decompressRaw(try Deflate.compress([1, 2, 3], raw: false)) }
    }

    @Test("digit pairs round-trip every base64url character and the dot")
    func numeric() {
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
        #expect(NumericQR.jws(fromDigits: Array(NumericQR.digits(alphabet).utf8)) == alphabet)
        #expect(NumericQR.jws(fromDigits: Array("7".utf8)) == nil && NumericQR.jws(fromDigits: Array("78".utf8)) == nil)
        #expect(NumericQR.jws(fromDigits: Array("1a".utf8)) == nil)
    }
}
