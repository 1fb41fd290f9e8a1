import Crypto
import Foundation
import LockerCore
import Testing

@Suite("SMART Health Cards")
struct HealthCardTests {
    /// A fixed key (scalar 0x0102…20), so the thumbprint can be checked against one computed
    /// elsewhere (joserfc's `ECKey.thumbprint()`).
    static let key = try! P256.Signing.PrivateKey(rawRepresentation: Data(1...32))

    @Test("each JWS character becomes its code minus 45 as two digits")
    func numericEncoding() {
        #expect(HealthCardQR.digits("eyJ") == "567629")
        #expect(HealthCardQR.digits("-.z_09") == "000177500312")
        #expect(HealthCardQR.text("a.b") == "shc:/520153")
    }

    @Test("the numeric text decodes back to the JWS, and malformed text to nil")
    func numericRoundTrip() throws {
        let jws = try HealthCardJWS.sign(payloadJSON: Array(#"{"iss":"https://example.org"}"#.utf8), key: Self.key)
        #expect(HealthCardQR.jws(fromText: HealthCardQR.text(jws)) == jws)
        #expect(HealthCardQR.jws(fromText: "shc:/567") == nil)
        #expect(HealthCardQR.jws(fromText: "shc:/78") == nil)
        #expect(HealthCardQR.jws(fromText: "567629") == nil)
    }

    @Test("the kid is the RFC 7638 thumbprint of the public JWK")
    func thumbprint() {
        #expect(HealthCardJWS.thumbprint(Self.key.publicKey) == "6UoWwDCkLjV0J-pQG8c0THxbVhBcpR0AZDift1Yl5DM")
        let jwk = HealthCardJWS.jwk(Self.key.publicKey)
        #expect(jwk["x"] == "UVw9brnjlrkE0_7Kf1T9zQzB6Ze_N13KUVrQpsO0A18")
        #expect(jwk["y"] == "RTa-OlDzGPv5pUdZAqIhUCvvDVfgjFOyzApW8X2fk1Q")
        #expect(jwk["kid"] == "6UoWwDCkLjV0J-pQG8c0THxbVhBcpR0AZDift1Yl5DM")
        #expect(jwk["alg"] == "ES256" && jwk["kty"] == "EC" && jwk["crv"] == "P-256" && jwk["use"] == "sig")
    }

    @Test("the card's header names ES256, DEF and the thumbprint, and its signature verifies")
    func signature() throws {
        let jws = try HealthCardJWS.sign(payloadJSON: Array(#"{"nbf":1}"#.utf8), key: Self.key)
        let parts = jws.split(separator: ".").map(String.init)
        #expect(String(decoding: Base64URL.decode(parts[0])!, as: UTF8.self)
            == #"{"alg":"ES256","zip":"DEF","kid":"6UoWwDCkLjV0J-pQG8c0THxbVhBcpR0AZDift1Yl5DM"}"#)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Base64URL.decode(parts[2])!)
        #expect(Self.key.publicKey.isValidSignature(signature, for: Array("\(parts[0]).\(parts[1])".utf8)))
    }

    @Test("the payload carries the name and one completed Immunization per dose, never the mobile")
    func payload() throws {
        let claims: [String: ClaimValue] = ["name": .string("Asha Verma"), "dosesReceived": .int(2), "dosesRequired": .int(2),
                                            "vaccine": .string("COVISHIELD"), "lastDoseOn": .string("2021-09-01"), "mobile": .string("+919876543210")]
        let json = try HealthCardPayload.json(issuer: "https://locker.example", notBefore: Date(timeIntervalSince1970: 1_700_000_000),
                                              revocationID: "abc", claims: claims)
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("9876543210") && !text.contains(": ") && !text.contains(", "))  // minified
        let object = try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any]
        #expect(object["nbf"] as? Int == 1_700_000_000)
        let vc = object["vc"] as! [String: Any]
        #expect(vc["rid"] as? String == "abc")
        let bundle = (vc["credentialSubject"] as! [String: Any])["fhirBundle"] as! [String: Any]
        let entries = bundle["entry"] as! [[String: Any]]
        #expect(entries.count == 3)
        let immunization = entries[2]["resource"] as! [String: Any]
        #expect(immunization["status"] as? String == "completed" && immunization["occurrenceDateTime"] as? String == "2021-09-01")
        #expect(HealthCardPayload.cvx("Covaxin") == "502" && HealthCardPayload.cvx("Sputnik") == "213")
    }

    @Test("raw DEFLATE round-trips through zlib's inflate and has no zlib header")
    func rawDeflate() throws {
        let input = Array(String(repeating: "health card ", count: 50).utf8)
        let raw = try Deflate.compress(input, raw: true)
        let wrapped = try Deflate.compress(input, raw: false)
        #expect(raw.count < input.count)
        #expect(wrapped.count == raw.count + 6 && wrapped[0] == 0x78)  // 2-byte header, Adler-32 trailer
    }
}
