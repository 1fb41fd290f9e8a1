import Crypto
import Foundation
import LockerCore
import Testing
@testable import LockerStore

@Suite("SMART Health Card keys: stored, rolled over, published for good, rewrapped")
struct CardKeyTests {
    @Test("the first card key is the one derived before keys were stored, so existing cards keep their kid")
    func firstKeyIsTheLegacyKey() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let legacy = try vault.legacyCardKey()
        // Publishing on a vault that never made a card stores the first key too.
        #expect(try vault.publishedCardKeys().map { HealthCardJWS.thumbprint($0) } == [HealthCardJWS.thumbprint(legacy.publicKey)])
        let (record, key) = try vault.activeCardKey()
        #expect(record.alg == SigningKeyRecord.es256 && record.kid == HealthCardJWS.thumbprint(legacy.publicKey))
        #expect(key.rawRepresentation == legacy.rawRepresentation)
        #expect(record.privateKeyWrapped != legacy.rawRepresentation, "stored wrapped, never in clear")
        // Asking again finds the stored row; the status key is a different row of its own kind.
        #expect(try vault.activeCardKey().record.kid == record.kid)
        #expect(try vault.activeSigningKey().alg == SigningKeyRecord.ed25519)
        #expect(try vault.publishedSigningKeys(now: Date()).allSatisfy { $0.alg == SigningKeyRecord.ed25519 })
    }

    @Test("rotating the card key leaves the status key alone, and the status key's rotation leaves the card key alone")
    func kindsRollOverApart() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let status = try vault.activeSigningKey()
        let first = try vault.activeCardKey().record
        let (fresh, retired) = try vault.rotateCardKey(actor: "test")
        #expect(retired == [first.kid] && fresh.kid != first.kid && fresh.alg == SigningKeyRecord.es256)
        #expect(try vault.activeCardKey().record.kid == fresh.kid)
        #expect(try vault.activeSigningKey().kid == status.kid, "a card rotation retires no status key")
        let (newStatus, retiredStatus) = try vault.rotateSigningKey(actor: "test")
        #expect(retiredStatus == [status.kid] && newStatus.alg == SigningKeyRecord.ed25519)
        #expect(try vault.activeCardKey().record.kid == fresh.kid, "a status rotation retires no card key")
        // Both card keys stay published, newest first; a card of the first still verifies with it.
        let published = try vault.publishedCardKeys().map { HealthCardJWS.thumbprint($0) }
        #expect(published == [fresh.kid, first.kid])
        let oldKey = try vault.cardPrivateKey(of: first)
        let signature = try oldKey.signature(for: Array("card".utf8))
        #expect(try vault.publishedCardKeys()[1].isValidSignature(signature, for: Array("card".utf8)))
        #expect(try vault.publishedCardKeys()[0].isValidSignature(signature, for: Array("card".utf8)) == false)
    }

    @Test("a KEK rotation rewraps card keys, and verify opens them; a flipped byte does not open")
    func rewrappedAndVerified() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        _ = try vault.activeSigningKey()
        try vault.rotateCardKey(actor: "test")
        let before = try vault.activeCardKey().key.rawRepresentation
        try vault.rotateKEK(actor: "test")
        let report = try vault.rewrapAll()
        #expect(report.signingKeys == 3 && report.failed == 0, "one status key and two card keys")
        let after = try vault.activeCardKey()
        #expect(after.record.kekVersion == 2 && after.key.rawRepresentation == before)
        #expect(try vault.verifyKeys(deep: false).failures.isEmpty)
        var damaged = after.record
        damaged.privateKeyWrapped[damaged.privateKeyWrapped.count - 1] ^= 1
        #expect(throws: (any Error).self) { try vault.cardPrivateKey(of: damaged) }
    }
}
