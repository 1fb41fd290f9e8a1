import Crypto
import Foundation
import Testing
@testable import LockerCore

@Suite("Keyring and key wrapping")
struct KeyringTests {
    @Test("a data key wraps and unwraps under the primary KEK")
    func wrapRoundTrip() throws {
        let ring = Keyring.generate()
        let dek = SymmetricKey(size: .bits256)
        let wrapped = try ring.wrapDataKey(dek, ownerID: "alice")
        #expect(wrapped.kekVersion == 1)
        let back = try ring.unwrapDataKey(wrapped, ownerID: "alice")
        #expect(back == dek)
    }

    @Test("a wrapped key under an unknown KEK version is refused")
    func unknownVersion() throws {
        let ring = Keyring.generate()
        var wrapped = try ring.wrapDataKey(SymmetricKey(size: .bits256), ownerID: "alice")
        wrapped.kekVersion = 2
        #expect(throws: VaultCryptoError.unknownKeyVersion(2)) { try ring.unwrapDataKey(wrapped, ownerID: "alice") }
    }

    @Test("a data key wrapped for one owner does not unwrap for another, nor after a byte flip")
    func ownerBinding() throws {
        let ring = Keyring.generate()
        let wrapped = try ring.wrapDataKey(SymmetricKey(size: .bits256), ownerID: "alice")
        #expect(throws: VaultCryptoError.authenticationFailed) { try ring.unwrapDataKey(wrapped, ownerID: "bob") }
        for i in 0..<wrapped.bytes.count {
            var damaged = wrapped
            damaged.bytes[i] ^= 0x80
            #expect(throws: VaultCryptoError.authenticationFailed) { try ring.unwrapDataKey(damaged, ownerID: "alice") }
        }
    }

    @Test("after rotation old wraps still open; after retiring they are refused")
    func rotateAndRetire() throws {
        var ring = Keyring.generate()
        let dek = SymmetricKey(size: .bits256)
        let old = try ring.wrapDataKey(dek, ownerID: "alice")
        #expect(ring.rotate() == 2)
        let new = try ring.wrapDataKey(dek, ownerID: "alice")
        #expect(new.kekVersion == 2)
        #expect(try ring.unwrapDataKey(old, ownerID: "alice") == dek)
        try ring.retire(below: 2)
        #expect(throws: VaultCryptoError.unknownKeyVersion(1)) { try ring.unwrapDataKey(old, ownerID: "alice") }
        #expect(throws: KeyringError.self) { try ring.retire(below: 3) }
        try ring.destroy(version: 1)
        #expect(ring.versions == [2])
        #expect(throws: KeyringError.self) { try ring.destroy(version: 2) }
    }

    @Test("the keyring file round-trips and a damaged one is refused with a reason")
    func codec() throws {
        var ring = Keyring.generate()
        ring.rotate()
        let encoded = try KeyringCodec.encode(ring)
        let decoded = try KeyringCodec.decode(encoded)
        #expect(decoded.versions == [1, 2])
        #expect(decoded.primaryVersion == 2)
        #expect(decoded.entries[1]!.key == ring.entries[1]!.key)
        #expect(decoded.indexKey == ring.indexKey)

        #expect(throws: KeyringError.self) { try KeyringCodec.decode(Array(encoded.prefix(encoded.count / 2))) }
        // Change one character of a key's base64: the check value catches it.
        var text = String(decoding: encoded, as: UTF8.self)
        let keyStart = text.range(of: "\"key\" : \"")!.upperBound
        let ch = text[keyStart]
        text.replaceSubrange(keyStart...keyStart, with: ch == "A" ? "B" : "A")
        #expect(throws: KeyringError.self) { try KeyringCodec.decode(Array(text.utf8)) }
    }

    @Test("lookup hashes are keyed: same input, same hash; another keyring, another hash")
    func lookupHash() {
        let a = Keyring.generate(), b = Keyring.generate()
        #expect(a.lookupHash("+919876543210") == a.lookupHash("+919876543210"))
        #expect(a.lookupHash("+919876543210") != b.lookupHash("+919876543210"))
        #expect(a.lookupHash("+919876543210") != a.lookupHash("+919876543211"))
    }
}
