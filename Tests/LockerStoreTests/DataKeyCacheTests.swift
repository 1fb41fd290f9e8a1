import Crypto
import Foundation
import LockerCore
import Testing
@testable import LockerStore

/// The short-lived cache of unwrapped data keys on the download path: it must answer only for the
/// exact wrapped key, expire, stay bounded, and be emptied by rekey, rotation and sign-out.
@Suite("Data key cache")
struct DataKeyCacheTests {
    let helper = VaultTests()

    @Test("answers only for the same citizen, KEK version and wrapped bytes")
    func exactMatchOnly() {
        let cache = DataKeyCache()
        let key = SymmetricKey(size: .bits256)
        cache.store(key, citizenID: "c1", kekVersion: 1, wrapped: Data([1, 2, 3]))
        #expect(cache.key(citizenID: "c1", kekVersion: 1, wrapped: Data([1, 2, 3])) == key)
        #expect(cache.key(citizenID: "c2", kekVersion: 1, wrapped: Data([1, 2, 3])) == nil)
        #expect(cache.key(citizenID: "c1", kekVersion: 2, wrapped: Data([1, 2, 3])) == nil, "a rewrap under another KEK must miss")
        #expect(cache.key(citizenID: "c1", kekVersion: 1, wrapped: Data([1, 2, 4])) == nil, "a rekeyed citizen's new wrapped key must miss")
        #expect(cache.count == 0, "a mismatch drops the stale entry")
    }

    @Test("an entry expires after its lifetime")
    func expires() async throws {
        let cache = DataKeyCache(lifetime: .milliseconds(50))
        cache.store(SymmetricKey(size: .bits256), citizenID: "c1", kekVersion: 1, wrapped: Data([1]))
        #expect(cache.key(citizenID: "c1", kekVersion: 1, wrapped: Data([1])) != nil)
        try await Task.sleep(for: .milliseconds(120))
        #expect(cache.key(citizenID: "c1", kekVersion: 1, wrapped: Data([1])) == nil)
    }

    @Test("never holds more than its capacity")
    func bounded() {
        let cache = DataKeyCache(capacity: 10)
        for n in 0..<35 { cache.store(SymmetricKey(size: .bits256), citizenID: "c\(n)", kekVersion: 1, wrapped: Data([UInt8(n)])) }
        #expect(cache.count <= 10)
        #expect(cache.key(citizenID: "c34", kekVersion: 1, wrapped: Data([34])) != nil, "the newest key is kept")
    }

    @Test("the vault fills it on a download and empties it on rekey and on a key ring change")
    func vaultEvictions() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let owner = try vault.makeCitizen(mobile: "+919800000042")
        try vault.citizens.insert(owner)
        let content = Array("%PDF-1.7 cached ".utf8) + [UInt8](repeating: 7, count: 40_000)
        let doc = try helper.storeDocument(vault, owner: owner, content: content)
        vault.dataKeys.removeAll()
        #expect(try vault.openDocument(doc, owner: owner).readAll() == content)
        #expect(vault.dataKeys.count == 1)
        try vault.rotateKEK(actor: "test")
        #expect(vault.dataKeys.count == 0, "a KEK rotation empties the cache")
        _ = try vault.dataKey(of: owner)
        #expect(vault.dataKeys.count == 1)
        _ = try vault.rekeyCitizen(id: owner.id, revokeShares: false, actor: "test")
        #expect(vault.dataKeys.count == 0, "a rekey forgets the citizen's key")
        let fresh = try #require(try vault.citizens.find(id: owner.id))
        let rekeyed = try #require(try vault.documents.find(id: doc.id))
        #expect(try vault.openDocument(rekeyed, owner: fresh).readAll() == content)
    }
}
