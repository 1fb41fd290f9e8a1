import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import LockerServer
@testable import LockerStore

@Suite("Damaged stored documents")
struct IntegrityTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    /// Pushes one document of `size` bytes, damages its sealed bytes at `flip` (from the end),
    /// and downloads it as the owner.
    func damagedDownload(size: Int, flipFromEnd: Int) async throws {
        let h = try Harness(maxDocumentBytes: 4 << 20, maxBodyBytes: 8 << 20)
        try h.register(cowin)
        let marker = Array("%PDF-1.7 MARKER-INTEGRITY ".utf8)
        let content = marker + [UInt8](repeating: 0x41, count: size - marker.count)
        try await h.app().test(.router) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000077", docId: "I1"), content: content))
            #expect(pushed.status == .created)
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000077", harness: h)
            let intact = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(intact.status == .ok)
            #expect(Array(intact.body.readableBytesView) == content)

            let blobID = try await h.vault.database.pool.read { db in try String.fetchOne(db, sql: "SELECT blobID FROM documents WHERE id = ?", arguments: [id]) }!
            let inline = try await h.vault.database.pool.read { db in try Data.fetchOne(db, sql: "SELECT bytes FROM inlineBlobs WHERE id = ?", arguments: [blobID]) }
            if var bytes = inline {
                bytes[bytes.count - flipFromEnd] ^= 0x01
                let damaged = bytes
                try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE inlineBlobs SET bytes = ? WHERE id = ?", arguments: [damaged, blobID]) }
            } else {
                let path = try FileBlobStore(layout: StorageLayout(root: h.path)).path(of: blobID)
                var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                bytes[bytes.count - flipFromEnd] ^= 0x01
                try bytes.write(to: URL(fileURLWithPath: path))
            }
            let damaged = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(damaged.status == .internalServerError)
            #expect(damaged.headers[.contentType] == "application/problem+json")
            #expect(try jsonObject(damaged)["type"] as? String == "/problems/integrity-failure")
            #expect(!Array(damaged.body.readableBytesView).contains(subsequence: marker), "no plaintext of a damaged document leaves")
        }
    }

    @Test("a flipped byte in the last segment of a 200 KB file-backed document: 500 integrity-failure and none of its bytes")
    func fileBacked() async throws {
        try await damagedDownload(size: 200_000, flipFromEnd: 3)
    }

    @Test("a flipped byte in a small document stored inline: the same 500 and nothing sent")
    func inline() async throws {
        try await damagedDownload(size: 4_000, flipFromEnd: 20)
    }
}
