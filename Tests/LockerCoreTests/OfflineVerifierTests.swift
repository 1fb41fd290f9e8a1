import Crypto
import Foundation
import LockerCore
import Testing

@Suite("Offline verification of QR codes")
struct OfflineVerifierTests {
    static let statusKey = StatusQRTests.key
    static let cardKey = try! P256.Signing.PrivateKey(rawRepresentation: Data(1...32))
    static let cardKid = HealthCardJWS.thumbprint(cardKey.publicKey)
    /// 2030-03-17T17:46:40Z: the statements' `exp` is 300 s later.
    static let now = Date(timeIntervalSince1970: 1_900_000_000)

    static func jwks(_ status: Curve25519.Signing.PrivateKey = statusKey, card: P256.Signing.PrivateKey = cardKey) throws -> JWKSet {
        let keys: [[String: String]] = [CompactJWS.jwk(kid: "k1", publicKey: Array(status.publicKey.rawRepresentation)), HealthCardJWS.jwk(card.publicKey),
                                        ["kty": "RSA", "kid": "other", "n": "AQAB", "e": "AQAB"]]
        return try JWKSet(json: Array(try JSONSerialization.data(withJSONObject: ["keys": keys])))
    }

    static func context(crl: [String]? = nil, now: Date = now, audience: String? = nil, issuer: String? = nil) throws -> OfflineVerifier.Context {
        let lists = try crl.map { rids in
            [try RevocationList(json: Array(try JSONSerialization.data(withJSONObject: ["kid": cardKid, "method": "rid", "ctr": rids.count, "rids": rids])))]
        } ?? []
        return OfflineVerifier.Context(jwks: try jwks(), revocationLists: lists, now: now, audience: audience, issuer: issuer)
    }

    static func statusText(_ statement: String) throws -> String {
        StatusQR.text(try StatusQR.compressedJWS(statement: statement, kid: "k1", key: statusKey))
    }

    static func kycAnswer(kind: String = "kyc-vs") throws -> String {
        let payload = #"{"aud":"irctc","exp":1900000300,"iat":1900000000,"iss":"https://locker.example","jti":"r1","kind":"\#(kind)","status":2}"#
        return try CompactJWS.sign(encodedHeader: try CompactJWS.encodedHeader(kid: "k1", type: "kyc-vs+jwt"), payloadJSON: Array(payload.utf8), key: statusKey)
    }

    static func cardText(nbf: Int = 1_899_000_000, rid: String = "rid-0000001") throws -> String {
        let payload = #"{"iss":"https://locker.example","nbf":\#(nbf),"vc":{"type":["https://smarthealth.cards#health-card"],"rid":"\#(rid)"}}"#
        return HealthCardQR.text(try HealthCardJWS.sign(payloadJSON: Array(payload.utf8), key: cardKey))
    }

    @Test("a share statement's QR verifies, with its claims")
    func shareStatement() throws {
        let verdict = OfflineVerifier.verify(try Self.statusText(try StatusQRTests.statement()), context: try Self.context())
        #expect(verdict.isValid && verdict.kind == .shareStatus && verdict.kid == "k1")
        let claims = try JSONSerialization.jsonObject(with: Data(verdict.claims!)) as! [String: Any]
        #expect(claims["status"] as? Int == 2 && claims["kind"] as? String == "share-status")
    }

    @Test("a KYC-VS answer's QR verifies; with --audience, only for that verifier")
    func kycAnswer() throws {
        let text = try Self.statusText(try Self.kycAnswer())
        #expect(OfflineVerifier.verify(text, context: try Self.context()).kind == .kycAnswer)
        #expect(OfflineVerifier.verify(text, context: try Self.context(audience: "irctc")).isValid)
        #expect(OfflineVerifier.verify(text, context: try Self.context(audience: "uidai")).failure == .wrongAudience)
        // A KYC-VS typ over a share statement's kind fails on the kind, signature or not.
        #expect(OfflineVerifier.verify(try Self.statusText(try Self.kycAnswer(kind: "share-status")), context: try Self.context()).failure == .wrongType)
    }

    @Test("with --iss, a card or status code of another deployment's URL is refused, after its signature held")
    func issuer() throws {
        let card = try Self.cardText(), answer = try Self.statusText(try Self.kycAnswer())
        for text in [card, answer] {
            #expect(OfflineVerifier.verify(text, context: try Self.context(issuer: "https://locker.example")).isValid)
            let other = OfflineVerifier.verify(text, context: try Self.context(issuer: "https://locker.example.evil"))
            #expect(other.failure == .wrongIssuer && other.detail == "issued by https://locker.example, not https://locker.example.evil")
            #expect(other.claims != nil, "the claims are shown: the signature held")
        }
    }

    @Test("every one-digit edit of a status QR or a card fails")
    func oneDigitEdits() throws {
        for text in [try Self.statusText(try StatusQRTests.statement()), try Self.cardText()] {
            let context = try Self.context()
            #expect(OfflineVerifier.verify(text, context: context).isValid)
            let start = text.hasPrefix("shc:/") ? 5 : 8
            var characters = Array(text)
            for i in start..<characters.count {
                let original = characters[i]
                characters[i] = Character(String((original.wholeNumberValue! + 1) % 10))
                let verdict = OfflineVerifier.verify(String(characters), context: context)
                #expect(!verdict.isValid, "position \(i)")
                characters[i] = original
            }
        }
    }

    @Test("expiry allows a minute of skew; a future iat or nbf is refused")
    func time() throws {
        let text = try Self.statusText(try StatusQRTests.statement())
        #expect(OfflineVerifier.verify(text, context: try Self.context(now: Self.now.addingTimeInterval(359))).isValid)
        #expect(OfflineVerifier.verify(text, context: try Self.context(now: Self.now.addingTimeInterval(361))).failure == .expired)
        #expect(OfflineVerifier.verify(text, context: try Self.context(now: Self.now.addingTimeInterval(-61))).failure == .notYetValid)
        #expect(OfflineVerifier.verify(try Self.cardText(nbf: 1_900_000_100), context: try Self.context()).failure == .notYetValid)
    }

    @Test("a statement that says not valid, another key and a foreign text fail with their own words")
    func failures() throws {
        let invalid = OfflineVerifier.verify(try Self.statusText(try StatusQRTests.statement(valid: false)), context: try Self.context())
        #expect(invalid.failure == .notValid && invalid.claims != nil)
        let stranger = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(repeating: 9, count: 32))
        let strangers = OfflineVerifier.Context(jwks: try Self.jwks(stranger, card: try P256.Signing.PrivateKey(rawRepresentation: Data(2...33))), now: Self.now)
        // The stranger's status key goes by the same kid here: a key that does not verify, not a missing one.
        #expect(OfflineVerifier.verify(try Self.statusText(try StatusQRTests.statement()), context: strangers).failure == .badSignature)
        #expect(OfflineVerifier.verify(try Self.cardText(), context: strangers).failure == .unknownKey)
        let hello = OfflineVerifier.verify("hello", context: try Self.context())
        #expect(hello.failure == .malformed && hello.kind == nil)
        // The uncompressed statement in Locker's wrapper: no zip header, so not a status QR.
        let bare = StatusQR.prefix + NumericQR.digits(try StatusQRTests.statement())
        #expect(OfflineVerifier.verify(bare, context: try Self.context()).failure == .malformed)
    }

    @Test("a card verifies, and a revocation list naming its rid revokes it")
    func revocation() throws {
        let text = try Self.cardText()
        #expect(OfflineVerifier.verify(text, context: try Self.context()).isValid)
        #expect(OfflineVerifier.verify(text, context: try Self.context(crl: [])).isValid)
        let revoked = OfflineVerifier.verify(text, context: try Self.context(crl: ["other", "rid-0000001"]))
        #expect(revoked.failure == .revoked && revoked.kind == .healthCard)
        // rid.TIMESTAMP revokes only cards from before that time.
        #expect(OfflineVerifier.verify(text, context: try Self.context(crl: ["rid-0000001.1899000001"])).failure == .revoked)
        #expect(OfflineVerifier.verify(text, context: try Self.context(crl: ["rid-0000001.1898999999"])).isValid)
        var elsewhere = try Self.context()
        elsewhere.revocationLists = [try RevocationList(json: Array(#"{"kid":"not-this-key","method":"rid","ctr":0,"rids":[]}"#.utf8))]
        #expect(OfflineVerifier.verify(text, context: elsewhere).failure == .noRevocationList)
    }

    @Test("a JWKS keeps Ed25519 and P-256 keys by kid, and refuses what is not a key set")
    func keySet() throws {
        let keys = try Self.jwks()
        #expect(keys.ed25519.keys.sorted() == ["k1"] && keys.p256.keys.sorted() == [Self.cardKid])
        #expect(throws: JWKSet.Malformed.self) { try JWKSet(json: Array(#"{"kid":"k1"}"#.utf8)) }
        #expect(throws: RevocationList.Malformed.self) { try RevocationList(json: Array(#"{"kid":"k","method":"other","rids":[]}"#.utf8)) }
    }
}
