import Foundation
import GRDB
import LockerCore
import Testing
@testable import LockerStore

@Suite("Vault storage")
struct VaultTests {
    /// A vault in `storage` holding one citizen.
    func vaultWithCitizen(_ storage: TempStorage, mobile: String) throws -> (Vault, CitizenRecord) {
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let owner = try vault.makeCitizen(mobile: mobile)
        try vault.citizens.insert(owner)
        return (vault, owner)
    }

    func storeDocument(_ vault: Vault, owner: CitizenRecord, content: [UInt8], chunk: Int = 10_000, inlineLimit: Int = Vault.inlineBlobLimit) throws -> DocumentRecord {
        let id = SecureRandom.identifier()
        let writer = try vault.beginDocument(owner: owner, documentID: id, version: 1, inlineLimit: inlineLimit)
        var offset = 0
        while offset < content.count {
            let end = min(offset + chunk, content.count)
            try writer.append(Array(content[offset..<end]))
            offset = end
        }
        let (size, digest) = try writer.finish()
        let now = Date()
        let record = DocumentRecord(
            id: id, ownerID: owner.id, uri: "in.gov.test-VACER-\(id)", issuerID: "in.gov.test", docType: "VACER", issuerDocID: id,
            issuedOn: "2026-11-22", version: 1, blobID: writer.blobID, contentKeyWrapped: writer.contentKeyWrapped,
            dekVersion: writer.dekVersion, size: size, contentType: "application/pdf", contentSHA256: digest,
            claimsSealed: nil, signature: nil, revokedAt: nil, createdAt: now, updatedAt: now)
        try vault.saveDocument(record, inlineBytes: writer.inlineBytes)
        return record
    }

    @Test("after storing a document with a known marker, no file under the storage folder contains it")
    func noPlaintextAtRest() throws {
        let storage = TempStorage()
        let marker = "LOCKER-PLAINTEXT-MARKER-" + SecureRandom.identifier()
        let mobile = "+919812345678"
        var content = Array("%PDF-1.7 certificate for Asha Verma ".utf8)
        for _ in 0..<2000 { content += Array(marker.utf8) }  // spans many segments
        do {
            let vault = try Vault.open(layout: StorageLayout(root: storage.path))
            let owner = try vault.makeCitizen(mobile: mobile)
            try vault.citizens.insert(owner)
            let doc = try storeDocument(vault, owner: owner, content: content)
            #expect(try vault.openDocument(doc, owner: owner).readAll() == content)
            #expect(try vault.mobile(of: owner) == mobile)
        }
        let files = try storage.allFiles()
        #expect(files.contains { $0.0.hasPrefix("db/") })
        #expect(files.contains { $0.0.hasPrefix("blobs/") })
        for (name, bytes) in files {
            #expect(!bytes.contains(subsequence: Array(marker.utf8)), "marker found in \(name)")
            #expect(!bytes.contains(subsequence: Array("Asha Verma".utf8)), "name found in \(name)")
            #expect(!bytes.contains(subsequence: Array("9812345678".utf8)), "mobile found in \(name)")
        }
    }

    @Test("the keyring and documents survive a restart")
    func survivesRestart() throws {
        let storage = TempStorage()
        let content = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let (docID, ownerID, keyBefore): (String, String, [UInt8])
        do {
            let (vault, owner) = try vaultWithCitizen(storage, mobile: "+919800000001")
            let doc = try storeDocument(vault, owner: owner, content: content)
            (docID, ownerID) = (doc.id, owner.id)
            keyBefore = vault.keyring.entries[1]!.key.withUnsafeBytes { Array($0) }
        }
        let reopened = try Vault.open(layout: StorageLayout(root: storage.path))
        #expect(reopened.keyring.entries[1]!.key.withUnsafeBytes { Array($0) } == keyBefore)
        let owner = try #require(try reopened.citizens.find(id: ownerID))
        let doc = try #require(try reopened.documents.find(id: docID))
        #expect(try reopened.openDocument(doc, owner: owner).readAll() == content)
        #expect(try reopened.citizens.find(mobileHash: reopened.mobileHash("+919800000001"))?.id == ownerID)
    }

    @Test("the keyring file is 0600 in a 0700 folder")
    func keyFilePermissions() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let attributes = try FileManager.default.attributesOfItem(atPath: vault.layout.keyringPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: vault.layout.keyDirectory)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
    }

    @Test("a corrupt key file gives one clear error naming it, and the database is not touched")
    func corruptKeyFile() throws {
        let storage = TempStorage()
        let layout = StorageLayout(root: storage.path)
        _ = try Vault.open(layout: layout)
        let dbBefore = try Data(contentsOf: URL(fileURLWithPath: layout.databasePath))
        try Data("{\"format\": 1, \"keys\": [".utf8).write(to: URL(fileURLWithPath: layout.keyringPath))
        let error = #expect(throws: StoreError.self) { try Vault.open(layout: layout) }
        #expect(error?.description.contains("corrupt keyring") == true)
        #expect(error?.description.contains(layout.keyringPath) == true)
        #expect(error?.description.contains("\n") == false)
        #expect(try Data(contentsOf: URL(fileURLWithPath: layout.databasePath)) == dbBefore)
        // The damaged file is left for the admin to inspect, not replaced.
        #expect(try String(contentsOfFile: layout.keyringPath, encoding: .utf8).hasPrefix("{\"format\": 1"))
    }

    @Test("a missing keyring beside an existing database is refused, not silently regenerated")
    func missingKeyring() throws {
        let storage = TempStorage()
        let layout = StorageLayout(root: storage.path)
        _ = try Vault.open(layout: layout)
        try FileManager.default.removeItem(atPath: layout.keyringPath)
        let error = #expect(throws: StoreError.self) { try Vault.open(layout: layout) }
        #expect(error?.description.contains("keyring missing") == true)
        #expect(!FileManager.default.fileExists(atPath: layout.keyringPath))
    }

    @Test("an unreadable storage path is refused with a clear error")
    func storagePathIsAFile() throws {
        let storage = TempStorage()
        try Data("x".utf8).write(to: URL(fileURLWithPath: storage.path))
        let error = #expect(throws: StoreError.self) { try Vault.open(layout: StorageLayout(root: storage.path)) }
        #expect(error?.description.contains("is not a folder") == true)
    }

    @Test("start-up sweep removes unreferenced blobs and temp files but keeps referenced ones")
    func sweep() throws {
        let storage = TempStorage()
        let (vault, owner) = try vaultWithCitizen(storage, mobile: "+919800000002")
        let kept = try storeDocument(vault, owner: owner, content: Array("kept".utf8), inlineLimit: 0)
        // A blob committed to disk whose metadata commit never happened (crash in between).
        let orphan = try vault.beginDocument(owner: owner, documentID: "orphan", version: 1, inlineLimit: 0)
        try orphan.append(Array("orphan".utf8))
        _ = try orphan.finish()
        // A temp file left mid-write.
        let unfinished = try vault.beginDocument(owner: owner, documentID: "unfinished", version: 1, inlineLimit: 0)
        try unfinished.append(Array("half".utf8))
        #expect(try vault.sweepOrphanBlobs() == 2)
        #expect(try vault.blobs.fileIDs() == [kept.blobID])
        #expect(try vault.openDocument(kept, owner: owner).readAll() == Array("kept".utf8))
        unfinished.abort()
    }

    @Test("a small document lives sealed in the database, not in a file; a flipped byte there fails to open")
    func inlineBlob() throws {
        let storage = TempStorage()
        let (vault, owner) = try vaultWithCitizen(storage, mobile: "+919800000004")
        let marker = Array("INLINE-MARKER-\(SecureRandom.identifier())".utf8)
        let content = Array((0..<40).flatMap { _ in marker })
        let doc = try storeDocument(vault, owner: owner, content: content)
        #expect(try vault.blobs.fileIDs().isEmpty, "no file for a small document")
        #expect(try vault.openDocument(doc, owner: owner).readAll() == content)
        // Spilled past the limit: a file, as before.
        let big = try storeDocument(vault, owner: owner, content: [UInt8](repeating: 7, count: Vault.inlineBlobLimit + 1))
        #expect(try vault.blobs.fileIDs() == [big.blobID])
        #expect(try vault.openDocument(big, owner: owner).readAll().count == Vault.inlineBlobLimit + 1)
        for (name, bytes) in try storage.allFiles() { #expect(!bytes.contains(subsequence: marker), "marker in \(name)") }
        try vault.database.pool.write { db in
            var bytes = try #require(try Data.fetchOne(db, sql: "SELECT bytes FROM inlineBlobs WHERE id = ?", arguments: [doc.blobID]))
            bytes[bytes.count - 5] ^= 1
            try db.execute(sql: "UPDATE inlineBlobs SET bytes = ? WHERE id = ?", arguments: [bytes, doc.blobID])
        }
        #expect(throws: (any Error).self) { try vault.openDocument(doc, owner: owner).readAll() }
    }

    @Test("a byte flipped in a blob on disk makes the download fail instead of releasing it")
    func tamperedBlobOnDisk() throws {
        let storage = TempStorage()
        let (vault, owner) = try vaultWithCitizen(storage, mobile: "+919800000003")
        let content = [UInt8](repeating: 65, count: 150_000)
        let doc = try storeDocument(vault, owner: owner, content: content)
        let path = "\(vault.layout.blobDirectory)/\(doc.blobID.prefix(2))/\(doc.blobID)"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 100] ^= 1  // in the last segment
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try vault.openDocument(doc, owner: owner)
        var out = [UInt8]()
        #expect(try reader.nextSegment(into: &out))
        #expect(try reader.nextSegment(into: &out))
        #expect(throws: VaultCryptoError.authenticationFailed) { _ = try reader.nextSegment(into: &out) }
        #expect(out.count == 2 * Envelope.defaultSegmentSize, "no plaintext from the damaged segment")
    }

    @Test("a blob copied onto another owner's document does not open")
    func blobMovedBetweenOwners() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let alice = try vault.makeCitizen(mobile: "+919800000004")
        let bob = try vault.makeCitizen(mobile: "+919800000005")
        try vault.citizens.insert(alice)
        try vault.citizens.insert(bob)
        let aliceDoc = try storeDocument(vault, owner: alice, content: Array("alice's certificate".utf8))
        let bobDoc = try storeDocument(vault, owner: bob, content: Array("bob's certificate".utf8))
        var forged = bobDoc
        forged.blobID = aliceDoc.blobID
        #expect(throws: VaultCryptoError.self) { _ = try vault.openDocument(forged, owner: bob).readAll() }
        forged.contentKeyWrapped = aliceDoc.contentKeyWrapped
        #expect(throws: VaultCryptoError.self) { _ = try vault.openDocument(forged, owner: bob).readAll() }
    }

    @Test("keys status counts data keys per KEK version")
    func countsPerVersion() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        for i in 0..<3 {
            try vault.citizens.insert(try vault.makeCitizen(mobile: "+91980000010\(i)"))
        }
        #expect(try vault.citizens.countByKEKVersion() == [1: 3])
    }
}

@Suite("Stored date text")
struct SQLiteDateTextTests {
    @Test("Timestamp.sqliteText writes exactly what GRDB's formatter writes, and both readers agree to within a nanosecond")
    func matchesGRDB() throws {
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400.5),
                             Date(timeIntervalSince1970: 1_795_420_353.123), Date(timeIntervalSince1970: 4_102_444_799.999)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Double(Int64.random(in: 0...4_102_444_799_999, using: &generator))
            dates.append(Date(timeIntervalSince1970: ms / 1000))
            dates.append(Date(timeIntervalSince1970: ms / 1000 + Double.random(in: 0..<0.001, using: &generator)))
        }
        for date in dates {
            let expected = String.fromDatabaseValue(date.databaseValue)
            #expect(Timestamp.sqliteText(date) == expected, "\(date.timeIntervalSince1970)")
            let back = try #require(Date.fromDatabaseValue(Timestamp.sqliteText(date).databaseValue))
            #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
            // The hot rows' own reader gives GRDB's Date to within a nanosecond (stored dates
            // have millisecond resolution): Foundation's calendar arithmetic rounds the last bits
            // differently for a few instants (seen 1-2 units in the last place apart near
            // 2001-01-02, where a Date's Double is finest), so a bit-for-bit check was flaky.
            let parsed = try #require(Array(Timestamp.sqliteText(date).utf8).withUnsafeBufferPointer(Timestamp.parseSQLiteText))
            let gap = abs(parsed.timeIntervalSinceReferenceDate - back.timeIntervalSinceReferenceDate)
            #expect(gap < 1e-9, "\(date.timeIntervalSince1970): off by \(gap)")
        }
    }

    @Test("the stored-date reader refuses what is not exactly sqliteText's form")
    func parserRefusesOtherForms() {
        for text in ["2026-11-23 08:52:33", "2026-11-23T08:52:33.123", "2026-02-30 08:52:33.123", "2026-13-01 00:00:00.000",
                     "2026-11-23 24:00:00.000", "2026-11-23 08:60:33.123", "2026-1x-23 08:52:33.123", "2026-11-23 08:52:33.12Z"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer(Timestamp.parseSQLiteText) == nil, "\(text)")
        }
        let leapDay = Array("2028-02-29 23:59:59.999".utf8).withUnsafeBufferPointer(Timestamp.parseSQLiteText)
        #expect(leapDay == Date.fromDatabaseValue("2028-02-29 23:59:59.999".databaseValue))
    }
}
