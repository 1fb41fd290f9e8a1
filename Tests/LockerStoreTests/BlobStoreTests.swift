import Foundation
import Testing
@testable import LockerStore

@Suite("Blob store (inline and file)")
struct BlobStoreTests {
    func read(_ store: any BlobStore, _ id: String) throws -> [UInt8] {
        let reader = try store.open(id, plaintextSize: nil)
        defer { reader.close() }
        var out = [UInt8](repeating: 0, count: reader.size)
        let n = try out.withUnsafeMutableBytes { try reader.read(into: $0, count: reader.size, at: 0) }
        #expect(n == reader.size)
        return out
    }

    @Test("a small blob is stored inline and a large one as a file; both read back byte-identical and both delete; the sweep removes an unreferenced file")
    func inlineAndFile() throws {
        let storage = TempStorage()
        let vault = try Vault.open(layout: StorageLayout(root: storage.path))
        let store = vault.blobs
        let small = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let large = (0..<(Vault.inlineBlobLimit * 3)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let smallID = try store.put(small)
        let largeID = try store.put(large)
        #expect(try store.fileIDs() == [largeID], "only the large blob is a file")
        let inlineRows = try vault.database.read { db in try SQLiteBlobStore.fetchInline(db, id: smallID) }
        #expect(inlineRows.map { [UInt8]($0) } == small, "the small blob is a row in inlineBlobs")
        #expect(try read(store, smallID) == small)
        #expect(try read(store, largeID) == large)

        try store.delete(smallID)
        try store.delete(largeID)
        #expect(throws: (any Error).self) { try store.open(smallID, plaintextSize: nil) }
        #expect(throws: (any Error).self) { try store.open(largeID, plaintextSize: nil) }
        #expect(try store.fileIDs().isEmpty)

        // Files whose document never committed (a crash in between): the start-up sweep takes them.
        _ = try store.put(large)
        _ = try store.put(large)
        #expect(try vault.sweepOrphanBlobs() == 2)
        #expect(try store.fileIDs().isEmpty)
        let referenced = try store.put(large)
        let unreferenced = try store.put(large)
        #expect(try store.sweepOrphans(referenced: [referenced]) == 1)
        #expect(try store.fileIDs() == [referenced], "\(unreferenced) swept, the referenced one kept")
    }
}
