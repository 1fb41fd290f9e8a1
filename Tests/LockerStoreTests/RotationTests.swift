import Crypto
import Foundation
import GRDB
import LockerCore
import Testing
@testable import LockerStore

@Suite("Key rotation, retirement and citizen rekey")
struct RotationTests {
    let helper = VaultTests()

    /// A citizen with one document of distinct content.
    func citizenWithDocument(_ vault: Vault, _ n: Int) throws -> (CitizenRecord, DocumentRecord, [UInt8]) {
        let owner = try vault.makeCitizen(mobile: "+9198000\(String(format: "%05d", n))")
        try vault.citizens.insert(owner)
        let content = Array("%PDF-1.7 document \(n) ".utf8) + (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* (n + 3)) }
        return (owner, try helper.storeDocument(vault, owner: owner, content: content), content)
    }

    /// Opens every document with the owner as read now from the database.
    func expectAllOpen(_ vault: Vault, _ docs: [(CitizenRecord, DocumentRecord, [UInt8])], _ when: String) throws {
        for (owner, doc, content) in docs {
            let current = try #require(try vault.citizens.find(id: owner.id))
            #expect(try vault.openDocument(doc, owner: current).readAll() == content, "document of \(owner.id) \(when)")
        }
    }

    @Test("documents under every KEK version open before, during and after a rotation, also from a second process's stale view")
    func downloadsThroughRotation() throws {
        let storage = TempStorage()
        let layout = StorageLayout(root: storage.path)
        let admin = try Vault.open(layout: layout)
        var docs = [try citizenWithDocument(admin, 1), try citizenWithDocument(admin, 2)]
        // A second handle on the same storage stands in for a running lockerd.
        let server = try Vault.open(layout: layout)
        #expect(try admin.rotateKEK(actor: "test") == 2)
        docs.append(try citizenWithDocument(admin, 3))
        #expect(try admin.rotateKEK(actor: "test") == 3)
        docs.append(try citizenWithDocument(admin, 4))
        // Before: data keys under v1, v1, v2, v3.
        #expect(try admin.wrapCounts().dataKeys == [1: 2, 2: 1, 3: 1])
        try expectAllOpen(admin, docs, "before the rewrap")
        try expectAllOpen(server, docs, "before the rewrap, stale keyring")
        #expect(server.keyring.primaryVersion == 3, "the stale handle reloaded the keyring when it met v3")

        // During: one batch of one key, then stop.
        var batches = 0
        let partial = try admin.rewrapAll(batchSize: 1, threads: 1, shouldContinue: { batches += 1; return batches <= 1 })
        #expect(partial.dataKeys == 1)
        #expect(try admin.wrapCounts().notUnder(3) == 2)
        try expectAllOpen(admin, docs, "during the rewrap")
        try expectAllOpen(server, docs, "during the rewrap, from the server")

        // After.
        let rest = try admin.rewrapAll(batchSize: 2, threads: 2)
        #expect(rest.dataKeys == 2 && rest.failed == 0)
        #expect(try admin.wrapCounts().dataKeys == [3: 4])
        try expectAllOpen(admin, docs, "after the rewrap")
        // Owners as cached before the rotation (a session cache) still open after retirement.
        try admin.retireKEKs(below: 3, actor: "test")
        #expect(try server.refreshKeyring(), "what lockerd's key watcher does each second")
        #expect(server.keyring.minDecryptionVersion == 3)
        for (staleOwner, doc, content) in docs {
            #expect(try server.openDocument(doc, owner: staleOwner).readAll() == content)
        }
    }

    @Test("retire is refused while old wraps remain; destroy only a retired version; afterwards nothing references it")
    func retireAndDestroy() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let docs = try (1...5).map { try citizenWithDocument(vault, $0) }
        let signing = try vault.activeSigningKey()
        #expect(signing.kekVersion == 1)
        let oldKey = vault.keyring.entries[1]!.key.withUnsafeBytes { Data($0).base64EncodedString() }
        try vault.rotateKEK(actor: "test")

        let refusal = #expect(throws: KeyAdminRefusal.self) { try vault.retireKEKs(below: 2, actor: "test") }
        #expect(refusal?.description.contains("6 wrapped keys") == true, "names the count: \(refusal?.description ?? "")")
        #expect(throws: KeyAdminRefusal.self) { try vault.destroyKEK(version: 1, actor: "test") }
        #expect(vault.keyring.minDecryptionVersion == 1)

        let report = try vault.rewrapAll()
        #expect(report.dataKeys == 5 && report.signingKeys == 1 && report.failed == 0)
        try vault.retireKEKs(below: 2, actor: "test")
        #expect(throws: KeyAdminRefusal.self) { try vault.destroyKEK(version: 2, actor: "test") }  // the primary
        try vault.destroyKEK(version: 1, actor: "test")

        #expect(vault.keyring.entries[1] == nil)
        let counts = try vault.wrapCounts()
        #expect(counts.dataKeys[1] == nil && counts.signingKeys[1] == nil)
        let keyringFile = String(decoding: try Data(contentsOf: URL(fileURLWithPath: vault.layout.keyringPath)), as: UTF8.self)
        #expect(!keyringFile.contains(oldKey), "destroyed key material is gone from the keyring file")
        // Reopened from disk: everything still opens, the signing key included.
        let reopened = try Vault.open(layout: StorageLayout(root: storage.path))
        try expectAllOpen(reopened, docs, "after destroy")
        let signingNow = try #require(try reopened.database.pool.read { db in try SigningKeyRecord.fetchOne(db, key: signing.kid) })
        #expect(try reopened.privateKey(of: signingNow).publicKey.rawRepresentation == signing.publicKey)
        let verification = try reopened.verifyKeys(deep: true)
        #expect(verification.failures.isEmpty && verification.documents == 5)
        let actions = try reopened.database.pool.read { db in try String.fetchAll(db, sql: "SELECT action FROM auditLog ORDER BY seq") }
        #expect(actions.contains("admin.kek-rotated") && actions.contains("admin.kek-retired") && actions.contains("admin.kek-destroyed"))
    }

    @Test("a tampered wrapped key is counted as failed, not retried forever, and verify names it")
    func tamperedKeyFails() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let docs = try (1...3).map { try citizenWithDocument(vault, $0) }
        try vault.database.pool.write { db in
            var bytes = try #require(try Data.fetchOne(db, sql: "SELECT dekWrapped FROM citizens WHERE id = ?", arguments: [docs[1].0.id]))
            bytes[20] ^= 0x01
            try db.execute(sql: "UPDATE citizens SET dekWrapped = ? WHERE id = ?", arguments: [bytes, docs[1].0.id])
        }
        try vault.rotateKEK(actor: "test")
        let report = try vault.rewrapAll(batchSize: 1)
        #expect(report.dataKeys == 2 && report.failed == 1)
        let verification = try vault.verifyKeys(deep: false)
        #expect(verification.failures.contains { $0.contains(docs[1].0.id) })
        #expect(throws: KeyAdminRefusal.self) { try vault.retireKEKs(below: 2, actor: "test") }
    }

    @Test("a rekeyed citizen's documents and sealed fields open under the new data key; the old one opens nothing; sessions end")
    func citizenRekey() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        var (owner, doc, content) = try citizenWithDocument(vault, 7)
        let other = try citizenWithDocument(vault, 8)
        let oldKey = try vault.dataKey(of: owner)
        doc.claimsSealed = Data(try FieldSeal.seal(Array("{\"claims\":1}".utf8), key: oldKey, field: doc.metadataField, ownerID: owner.id))
        doc.holderSealed = Data(try FieldSeal.seal(Array("2asha verma".utf8), key: oldKey, field: doc.holderField, ownerID: owner.id))
        try vault.documents.save(doc)
        let now = Date()
        try vault.database.pool.write { db in
            try SessionRecord(id: SecureRandom.identifier(), tokenHash: Data(SecureRandom.bytes(32)), citizenID: owner.id, createdAt: now, expiresAt: now.addingTimeInterval(3600)).insert(db)
        }

        let report = try vault.rekeyCitizen(id: owner.id, revokeShares: false, actor: "test")
        #expect(report.documents == 1 && report.sessionsEnded == 1 && report.dekVersion == 2)
        let stale = owner
        owner = try #require(try vault.citizens.find(id: owner.id))
        let fresh = try #require(try vault.documents.find(id: doc.id))
        #expect(owner.dekVersion == 2 && fresh.dekVersion == 2)
        let newKey = try vault.dataKey(of: owner)
        #expect(newKey != oldKey)
        #expect(try vault.openDocument(fresh, owner: owner).readAll() == content)
        #expect(try vault.openDocument(fresh, owner: stale).readAll() == content, "an owner cached before the rekey still works")
        #expect(try vault.mobile(of: owner) == "+919800000007")
        #expect(try FieldSeal.open([UInt8](fresh.holderSealed!), key: newKey, field: fresh.holderField, ownerID: owner.id) == Array("2asha verma".utf8))
        #expect(throws: (any Error).self) { try KeyWrap.unwrap([UInt8](fresh.contentKeyWrapped), under: oldKey, aad: KeyWrap.contentKeyAAD(context: fresh.envelopeContext)) }
        #expect(throws: (any Error).self) { try FieldSeal.open([UInt8](fresh.claimsSealed!), key: oldKey, field: fresh.metadataField, ownerID: owner.id) }
        let live = try vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sessions WHERE citizenID = ? AND revokedAt IS NULL", arguments: [owner.id]) }
        #expect(live == 0)
        // The other citizen is untouched; the owner sees the rekey in their own audit trail.
        let untouched = try #require(try vault.citizens.find(id: other.0.id))
        #expect(untouched.dekWrapped == other.0.dekWrapped && untouched.dekVersion == 1)
        let events = try vault.database.pool.read { db in try AuditLog.events(db, citizenID: owner.id, limit: 10, before: nil) }
        #expect(events.contains { $0.action == "admin.citizen-rekeyed" })
    }

    @Test("a second rewrapper finds the lock taken, and gets it once the holder is gone")
    func rewrapLock() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        var first: FileLock? = try FileLock.tryAcquire(vault.layout.rewrapLockPath)
        #expect(first != nil)
        #expect(try FileLock.tryAcquire(vault.layout.rewrapLockPath) == nil)
        first = nil
        #expect(try FileLock.tryAcquire(vault.layout.rewrapLockPath) != nil)
    }
}
