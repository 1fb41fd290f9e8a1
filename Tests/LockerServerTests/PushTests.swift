import Crypto
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

@Suite("Issuer push and revoke")
struct PushTests {
    let cowin = TestIssuer(id: "in.gov.cowin")
    let board = TestIssuer(id: "in.gov.cbse")

    @Test("a signed push creates the document; the same push again is idempotent; new content makes version 2")
    func pushIdempotentAndVersions() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let content = Array("%PDF-1.7 first".utf8)
            let body = try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: content)
            let first = try await client.push(cowin, body)
            #expect(first.status == .created)
            let doc = try jsonObject(first)
            #expect(doc["result"] as? String == "created")
            #expect(doc["uri"] as? String == "in.gov.cowin-VACER-D1")
            #expect(doc["version"] as? Int == 1)
            let again = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: content))
            #expect(again.status == .ok)
            #expect(try jsonObject(again)["result"] as? String == "unchanged")
            #expect(try jsonObject(again)["id"] as? String == doc["id"] as? String)
            let updated = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: Array("%PDF-1.7 second".utf8)))
            #expect(updated.status == .ok)
            #expect(try jsonObject(updated)["result"] as? String == "updated")
            #expect(try jsonObject(updated)["version"] as? Int == 2)
        }
        let count = try await h.vault.database.pool.read { db in try DocumentRecord.fetchCount(db) }
        #expect(count == 1)
        let inline = try await h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inlineBlobs") ?? 0 }
        #expect(try h.vault.blobs.fileIDs().count + inline == 1, "the old version's blob is removed, the idempotent repeat left none")
        #expect(try h.vault.citizens.countByKEKVersion() == [1: 1])
    }

    @Test("a wrong or disabled issuer key gets 401")
    func wrongIssuerKey() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let stranger = TestIssuer(id: "in.gov.cowin")  // right id, unknown key
            let r = try await client.push(stranger, try Harness.pushBody(stranger, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1]))
            #expect(r.status == .unauthorized)
            #expect(r.headers[.wwwAuthenticate] == "Bearer")
            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE issuers SET disabled = 1") }
            let disabled = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1]))
            #expect(disabled.status == .unauthorized)
            let none = try await client.execute(uri: "/v1/issuer/documents", method: .post, body: ByteBuffer(string: "x"))
            #expect(none.status == .unauthorized)
        }
    }

    @Test("a forged or mismatched signature gets 422 and stores nothing")
    func badSignatures() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let meta = Harness.vacer("+919800000001", docId: "D1")
            let forged = try Harness.pushBody(cowin, metadata: meta, content: [1, 2, 3], signWith: Curve25519.Signing.PrivateKey())
            let r1 = try await client.push(cowin, forged)
            #expect(r1.status == .unprocessableContent)
            #expect(try problem(r1)["type"] as? String == "/problems/bad-signature")
            let mismatched = try Harness.pushBody(cowin, metadata: meta, content: [1, 2, 3], signedContent: [1, 2, 4])
            #expect(try await client.push(cowin, mismatched).status == .unprocessableContent)
            let garbage = Harness.multipart([("metadata", "application/json", Array(try JSONSerialization.data(withJSONObject: meta))),
                                            ("content", "application/pdf", [1]), ("signature", nil, Array("not-base64!".utf8))])
            #expect(try await client.push(cowin, garbage).status == .unprocessableContent)
        }
        #expect(try h.vault.blobs.fileIDs().isEmpty)
        #expect(try h.vault.citizens.countByKEKVersion().isEmpty, "a refused push creates no citizen")
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.vault.layout.blobTempDirectory).isEmpty)
    }

    @Test("malformed multipart, missing parts, bad fields and bad JSON get 400 problem+json", arguments: [
        "garbage", "missing-signature", "wrong-order", "bad-mobile", "bad-doctype", "bad-date", "bad-claims", "metadata-not-json",
    ])
    func malformed(kind: String) async throws {
        let h = try Harness()
        try h.register(cowin)
        let meta = try JSONSerialization.data(withJSONObject: Harness.vacer("+919800000001", docId: "D1"))
        func metaWith(_ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
            var m = Harness.vacer("+919800000001", docId: "D1")
            change(&m)
            return Array(try JSONSerialization.data(withJSONObject: m))
        }
        let sig = Array("AAAA".utf8)
        let body: (ByteBuffer, String)
        switch kind {
        case "garbage": body = (ByteBuffer(string: "this is not multipart at all"), "multipart/form-data; boundary=zzz")
        case "missing-signature": body = Harness.multipart([("metadata", "application/json", Array(meta)), ("content", "application/pdf", [1])])
        case "wrong-order": body = Harness.multipart([("content", "application/pdf", [1]), ("metadata", "application/json", Array(meta)), ("signature", nil, sig)])
        case "bad-mobile": body = Harness.multipart([("metadata", nil, try metaWith { $0["mobile"] = "98765" }), ("content", "application/pdf", [1]), ("signature", nil, sig)])
        case "bad-doctype": body = Harness.multipart([("metadata", nil, try metaWith { $0["docType"] = "vac" }), ("content", "application/pdf", [1]), ("signature", nil, sig)])
        case "bad-date": body = Harness.multipart([("metadata", nil, try metaWith { $0["issuedOn"] = "2026-02-30" }), ("content", "application/pdf", [1]), ("signature", nil, sig)])
        case "bad-claims": body = Harness.multipart([("metadata", nil, try metaWith { $0["claims"] = ["name": "A"] }), ("content", "application/pdf", [1]), ("signature", nil, sig)])
        default: body = Harness.multipart([("metadata", nil, Array("{not json".utf8)), ("content", "application/pdf", [1]), ("signature", nil, sig)])
        }
        try await h.app().test(.router) { client in
            let r = try await client.push(cowin, body)
            #expect(r.status == .badRequest, "\(kind)")
            #expect(try problem(r)["type"] as? String == "/problems/bad-request")
        }
        #expect(try h.vault.blobs.fileIDs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.vault.layout.blobTempDirectory).isEmpty)
    }

    @Test("a push larger than the document limit gets 413 and leaves nothing behind")
    func oversized() async throws {
        let h = try Harness(maxDocumentBytes: 100_000)
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let big = [UInt8](repeating: 7, count: 150_000)
            let r = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: big))
            #expect(r.status == .contentTooLarge)
            #expect(try problem(r)["type"] as? String == "/problems/payload-too-large")
        }
        #expect(try h.vault.blobs.fileIDs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.vault.layout.blobTempDirectory).isEmpty)
    }

    @Test("content that is neither PDF nor JSON, or a body that is not multipart, gets 415")
    func unsupportedTypes() async throws {
        let h = try Harness()
        try h.register(cowin)
        try await h.app().test(.router) { client in
            let html = try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1], contentType: "text/html")
            #expect(try await client.push(cowin, html).status == .unsupportedMediaType)
            let json = try await client.execute(uri: "/v1/issuer/documents", method: .post, headers: [.authorization: "Bearer \(cowin.apiKey)", .contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(json.status == .unsupportedMediaType)
        }
    }

    @Test("issuer A revoking issuer B's URI gets 404; B's revoke makes the owner's download 410")
    func revoke() async throws {
        let h = try Harness()
        try h.register(cowin)
        try h.register(board)
        try await h.app().test(.router) { client in
            let created = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [1, 2]))
            let id = try jsonObject(created)["id"] as! String
            let cross = try await client.execute(uri: "/v1/issuer/documents/in.gov.cowin-VACER-D1", method: .delete, headers: [.authorization: "Bearer \(board.apiKey)"])
            #expect(cross.status == .notFound)
            let unknown = try await client.execute(uri: "/v1/issuer/documents/in.gov.cbse-VACER-NOPE", method: .delete, headers: [.authorization: "Bearer \(board.apiKey)"])
            #expect(unknown.status == .notFound)
            #expect(String(buffer: cross.body) == String(buffer: unknown.body))
            let token = try await client.signIn("+919800000001", harness: h)
            #expect(try await client.get("/v1/documents/\(id)/content", token: token).status == .ok)
            let revoked = try await client.execute(uri: "/v1/issuer/documents/in.gov.cowin-VACER-D1", method: .delete, headers: [.authorization: "Bearer \(cowin.apiKey)"])
            #expect(revoked.status == .ok)
            #expect(try jsonObject(revoked)["revoked"] as? Bool == true)
            let gone = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(gone.status == .gone)
            #expect(try problem(gone)["type"] as? String == "/problems/revoked")
            // A revoked URI cannot be silently re-pushed.
            let repush = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919800000001", docId: "D1"), content: [9]))
            #expect(repush.status == .gone)
        }
    }

    @Test("no plaintext marker, name or mobile from a pushed document is anywhere under the storage folder")
    func noPlaintextAtRest() async throws {
        let h = try Harness()
        try h.register(cowin)
        let marker = "MARKER-" + SecureRandom.identifier()
        let content = Array(String(repeating: "%PDF \(marker) ", count: 3000).utf8)
        try await h.app().test(.router) { client in
            let r = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer("+919811112222", docId: "D1", name: "Zorawar Quixote"), content: content))
            #expect(r.status == .created)
            let token = try await client.signIn("+919811112222", harness: h)
            let list = try await client.get("/v1/documents", token: token)
            let id = (try jsonObject(list)["documents"] as! [[String: Any]])[0]["id"] as! String
            let download = try await client.get("/v1/documents/\(id)/content", token: token)
            #expect(Array(download.body.readableBytesView) == content)
        }
        for (name, bytes) in try allFiles(h.path) {
            #expect(!bytes.contains(subsequence: Array(marker.utf8)), "marker in \(name)")
            #expect(!bytes.contains(subsequence: Array("Zorawar Quixote".utf8)), "name in \(name)")
            #expect(!bytes.contains(subsequence: Array("9811112222".utf8)), "mobile in \(name)")
        }
    }
}

func allFiles(_ root: String) throws -> [(String, [UInt8])] {
    let fm = FileManager.default
    var out = [(String, [UInt8])]()
    for case let relative as String in fm.enumerator(atPath: root)! {
        var isDirectory: ObjCBool = false
        let full = root + "/" + relative
        if fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
            out.append((relative, [UInt8](try Data(contentsOf: URL(fileURLWithPath: full)))))
        }
    }
    return out
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                var i = 0
                while i <= hay.count - n.count {
                    if hay[i] == n[0] && memcmp(hay.baseAddress! + i, n.baseAddress!, n.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }
}
