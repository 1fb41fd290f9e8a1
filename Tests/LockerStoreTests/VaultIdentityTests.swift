import Foundation
import GRDB
import LockerCore
import Testing
@testable import LockerStore

@Suite("One vault, one identity; durable commits")
struct VaultIdentityTests {
    /// A vault with one citizen, closed again; returns its layout.
    func populatedVault(_ storage: TempStorage) throws -> StorageLayout {
        let layout = StorageLayout(root: storage.path)
        let vault = try Vault.open(layout: layout)
        try vault.citizens.insert(try vault.makeCitizen(mobile: "+919811100001"))
        return layout
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test("every writing connection runs with synchronous = FULL (GRDB's WAL set-up resets it to NORMAL)")
    func synchronousFull() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path), backgroundCheckpoints: true)
        let modes = try vault.database.writingConnectionsSynchronous()
        #expect(modes == ["writer": LockerDatabase.synchronousFull, "checkpointer": LockerDatabase.synchronousFull])
        // And after writes through the group committer's pool, still FULL.
        try vault.citizens.insert(try vault.makeCitizen(mobile: "+919811100009"))
        #expect(try vault.database.writingConnectionsSynchronous()["writer"] == LockerDatabase.synchronousFull)
    }

    @Test("a keyring copied from another vault stops the vault from opening, and nothing is written")
    func foreignKeyring() throws {
        let a = TempStorage(), b = TempStorage()
        let layoutA = try populatedVault(a), layoutB = try populatedVault(b)
        try FileManager.default.removeItem(atPath: layoutB.keyringPath)
        try FileManager.default.copyItem(atPath: layoutA.keyringPath, toPath: layoutB.keyringPath)
        let before = try bytes(layoutB.databasePath)
        let beforeWAL = try? bytes(layoutB.databasePath + "-wal")
        #expect {
            try Vault.open(layout: layoutB)
        } throws: { error in
            "\(error)".contains("different vaults") && "\(error)".contains("keyring belongs to vault")
        }
        #expect(throws: StoreError.self) { try VaultIdentity.verifyReadOnly(layout: layoutB) }
        #expect(try bytes(layoutB.databasePath) == before)
        let afterWAL = try? bytes(layoutB.databasePath + "-wal")
        // SQLite may create an empty WAL to read a WAL database; nothing is written into it.
        #expect(afterWAL == beforeWAL || (beforeWAL == nil && afterWAL?.isEmpty == true))
        // Its own vault still opens.
        _ = try Vault.open(layout: layoutA)
    }

    @Test("a keyring from before vault ids, from another vault, is caught by the check value")
    func foreignLegacyKeyring() throws {
        let a = TempStorage(), b = TempStorage()
        let layoutA = try populatedVault(a), layoutB = try populatedVault(b)
        var ring = try FileKeyProvider(layout: layoutA).load(createIfMissing: false)
        ring.vaultID = nil
        try FileKeyProvider(layout: layoutB).save(ring)
        #expect { try Vault.open(layout: layoutB) } throws: { "\($0)".contains("does not belong to vault") }
    }

    @Test("a database from before vault ids is bound on first open if its keys open, refused if they do not")
    func legacyDatabase() throws {
        let a = TempStorage(), b = TempStorage()
        let layoutA = try populatedVault(a), layoutB = try populatedVault(b)
        for layout in [layoutA, layoutB] {
            let queue = try DatabaseQueue(path: layout.databasePath)
            try queue.write { db in
                try db.execute(sql: "DROP TABLE vaultIdentity")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v7-vault-identity'")
            }
            try FileManager.default.removeItem(atPath: layout.blobDirectory + "/vault-id")
            var ring = try FileKeyProvider(layout: layout).load(createIfMissing: false)
            ring.vaultID = nil
            try FileKeyProvider(layout: layout).save(ring)
        }
        // B's keyring on A's old database: A's data keys do not open under it.
        try FileManager.default.removeItem(atPath: layoutA.keyringPath)
        try FileManager.default.copyItem(atPath: layoutB.keyringPath, toPath: layoutA.keyringPath)
        #expect { try Vault.open(layout: layoutA) } throws: { "\($0)".contains("cannot open this database's data keys") }
        // B with its own keyring: bound, and the id recorded on all three sides.
        let vault = try Vault.open(layout: layoutB)
        let id = try #require(vault.vaultID)
        #expect(try VaultIdentity.recorded(in: vault.database) == id)
        #expect(try FileKeyProvider(layout: layoutB).load(createIfMissing: false).vaultID == id)
        #expect(try String(contentsOfFile: layoutB.blobDirectory + "/vault-id", encoding: .utf8) == id + "\n")
    }

    @Test("blobs from another vault stop the vault from opening")
    func foreignBlobs() throws {
        let a = TempStorage(), b = TempStorage()
        let layoutA = try populatedVault(a), layoutB = try populatedVault(b)
        try FileManager.default.removeItem(atPath: layoutB.blobDirectory + "/vault-id")
        try FileManager.default.copyItem(atPath: layoutA.blobDirectory + "/vault-id", toPath: layoutB.blobDirectory + "/vault-id")
        #expect { try Vault.open(layout: layoutB) } throws: { "\($0)".contains("blob folder belongs to vault") }
    }

    @Test("a second lockerd on the same storage folder is refused with the holder's pid; released when the first lets go")
    func storageLock() throws {
        let storage = TempStorage()
        let layout = StorageLayout(root: storage.path)
        try layout.prepare()
        var first: StorageLock? = try StorageLock.acquire(layout)
        #expect { try StorageLock.acquire(layout) } throws: { "\($0)".contains("pid \(getpid())") }
        withExtendedLifetime(first) {}
        first = nil
        _ = try StorageLock.acquire(layout)
    }

    @Test("a paced rewrap never reports more keys than the rate allows, and reports at least every second")
    func pacedRewrapProgress() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        try vault.database.pool.write { db in
            for n in 0..<1_200 { try vault.makeCitizen(mobile: "+91982\(String(format: "%07d", n))").insert(db) }
        }
        _ = try vault.rotateKEK(actor: "test")
        let start = Date()
        var reports = [(TimeInterval, Int)]()
        let report = try vault.rewrapAll(batchSize: 8192, maxPerSecond: 1_000, progress: { done, _ in reports.append((Date().timeIntervalSince(start), done)) })
        #expect(report.dataKeys == 1_200)
        for (elapsed, done) in reports where done > 0 {
            #expect(Double(done) <= 1_000 * elapsed * 1.05 + 1, "\(done) keys after \(elapsed) s at 1,000/s")
        }
        let gaps = zip(reports.dropFirst(), reports).map { $0.0 - $1.0 }
        #expect(gaps.allSatisfy { $0 < 1.0 }, "progress gaps: \(gaps)")
        #expect(reports.count >= 5, "a 1.2 s paced rewrap reports in steps, not in one jump: \(reports.count)")
    }
}
