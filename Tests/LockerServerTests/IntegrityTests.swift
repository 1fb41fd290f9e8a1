import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import LockerServer
@testable import LockerStore

@Suite("Damaged stored documents")
struct IntegrityTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    /// Flips one bit of a document's sealed copy, `flipFromEnd` bytes from its end, wherever it
    /// is stored (a row of `inlineBlobs`, or a file).
    static func damage(document id: String, in h: Harness, flipFromEnd: Int) async throws {
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
    }

    /// Pushes one document of `size` bytes, damages its sealed bytes at `flip` (from the end),
    /// and downloads it as the owner.
    func damagedDownload(size: Int, flipFromEnd: Int, share: Bool = false) async throws {
        let h = try Harness(maxDocumentBytes: 4 << 20, maxBodyBytes: 8 << 20)
        try h.register(cowin)
        let marker = Array("%PDF-1.7 MARKER-INTEGRITY ".utf8)
        let content = marker + [UInt8](repeating: 0x41, count: size - marker.count)
        // The damage is deliberate: its critical log line is recorded and checked, not printed.
        let log = RecordingLog()
        try await h.app(logger: log.logger).test(.router) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000077", docId: "I1"), content: content))
            #expect(pushed.status == .created)
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000077", harness: h)
            let intact = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(intact.status == .ok)
            #expect(Array(intact.body.readableBytesView) == content)

            var shareToken: String?
            if share {
                let created = try await client.json("/v1/documents/\(id)/shares", ["label": "Clerk", "maxUses": 1], token: token)
                shareToken = try jsonObject(created)["token"] as? String
            }
            try await Self.damage(document: id, in: h, flipFromEnd: flipFromEnd)
            let damaged = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(damaged.status == .internalServerError)
            #expect(damaged.headers[.contentType] == "application/problem+json")
            #expect(try jsonObject(damaged)["type"] as? String == "/problems/integrity-failure")
            #expect(!Array(damaged.body.readableBytesView).contains(subsequence: marker), "no plaintext of a damaged document leaves")
            let actions = try await h.vault.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT action FROM auditLog WHERE documentID = ? ORDER BY seq", arguments: [id])
            }
            #expect(actions.filter { $0 == "document.downloaded" }.count == 1, "only the intact download is recorded as one: \(actions)")
            #expect(actions.last == "document.download-failed")
            if let shareToken {
                let redeemed = try await client.json("/v1/shares/redeem", ["token": shareToken])
                #expect(redeemed.status == .internalServerError)
                #expect(!Array(redeemed.body.readableBytesView).contains(subsequence: marker))
                let spent = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT usesSpent FROM shares") }
                #expect(spent == 0, "a redemption that delivered nothing spends no use")
                let shareActions = try await h.vault.database.pool.read { db in
                    try String.fetchAll(db, sql: "SELECT action FROM auditLog WHERE action LIKE 'share.%' ORDER BY seq")
                }
                #expect(shareActions == ["share.created", "share.failed"])
            }
        }
        #expect(log.messages.contains { $0.level == .critical && $0.text.contains("integrity check") }, "the damage is logged as critical")
    }

    @Test("a flipped byte in the last segment of a 200 KB file-backed document: 500 integrity-failure and none of its bytes")
    func fileBacked() async throws {
        try await damagedDownload(size: 200_000, flipFromEnd: 3)
    }

    @Test("a flipped byte in a small document stored inline: the same 500 and nothing sent")
    func inline() async throws {
        try await damagedDownload(size: 4_000, flipFromEnd: 20)
    }

    @Test("a share of a damaged document: 500, no use spent, the owner's activity says it failed, not that it was downloaded")
    func damagedShare() async throws {
        try await damagedDownload(size: 4_000, flipFromEnd: 20, share: true)
        try await damagedDownload(size: 200_000, flipFromEnd: 3, share: true)
    }

    @Test("a 3 MB document damaged in its last segment streams until the damage, and the audit records the download as cut")
    func cutStream() async throws {
        let h = try Harness(maxDocumentBytes: 4 << 20, maxBodyBytes: 8 << 20)
        try h.register(cowin)
        let content = [UInt8](repeating: 0x42, count: 3_000_000)
        let log = RecordingLog()
        try await h.app(logger: log.logger).test(.live) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000078", docId: "I2"), content: content))
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000078", harness: h)
            try await Self.damage(document: id, in: h, flipFromEnd: 3)
            let response = try? await client.get("/v1/documents/\(id)/content", token: token)
            #expect((response?.body.readableBytes ?? 0) < content.count, "the damaged tail is never sent")
            var actions = [String]()
            for _ in 0..<50 {
                actions = try await h.vault.database.pool.read { db in
                    try String.fetchAll(db, sql: "SELECT action FROM auditLog WHERE documentID = ? ORDER BY seq", arguments: [id])
                }
                if actions.last == "document.download-cut" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(actions.suffix(2) == ["document.downloaded", "document.download-cut"])
        }
        #expect(log.messages.contains { $0.level == .critical && $0.text.contains("mid-stream") }, "the damage is logged as critical")
    }
}

/// A log handler that keeps messages in memory: for tests whose expected failures would
/// otherwise print alarming `critical` lines into a passing run's output.
final class RecordingLog: Sendable {
    private let lines = Mutex<[(level: Logger.Level, text: String)]>([])

    var messages: [(level: Logger.Level, text: String)] { lines.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: RecordingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            sink.lines.withLock { $0.append((event.level, event.message.description)) }
        }
    }
}

extension IntegrityTests {
    @Test("a share of a 3 MB document cut by damage in its last segment: recorded as cut, and its use is given back")
    func cutShareStream() async throws {
        let h = try Harness(maxDocumentBytes: 4 << 20, maxBodyBytes: 8 << 20)
        try h.register(cowin)
        let content = [UInt8](repeating: 0x43, count: 3_000_000)
        let log = RecordingLog()
        try await h.app(logger: log.logger).test(.live) { client in
            let pushed = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000079", docId: "I3"), content: content))
            let id = try jsonObject(pushed)["id"] as! String
            let token = try await client.signIn("+919800000079", harness: h)
            let created = try await client.json("/v1/documents/\(id)/shares", ["label": "Clerk", "maxUses": 1], token: token)
            let shareToken = try #require(try jsonObject(created)["token"] as? String)
            try await Self.damage(document: id, in: h, flipFromEnd: 3)
            let response = try? await client.json("/v1/shares/redeem", ["token": shareToken])
            #expect((response?.body.readableBytes ?? 0) < content.count, "the damaged tail is never sent")
            var actions = [String]()
            for _ in 0..<50 {
                actions = try await h.vault.database.pool.read { db in
                    try String.fetchAll(db, sql: "SELECT action FROM auditLog WHERE action LIKE 'share.%' ORDER BY seq")
                }
                if actions.last == "share.cut" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(actions == ["share.created", "share.redeemed", "share.cut"])
            let spent = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT usesSpent FROM shares") }
            #expect(spent == 0, "the use spent on a cut download is given back")
        }
    }
}
