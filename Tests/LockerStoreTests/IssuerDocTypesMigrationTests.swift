import Foundation
import GRDB
import Testing
@testable import LockerStore

@Suite("Issuer document types migration")
struct IssuerDocTypesMigrationTests {
    @Test("an upgraded vault registers each issuer for exactly the document types it had already pushed")
    func upgradeKeepsPushedTypes() throws {
        let storage = TempStorage()
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: storage.path + "/locker.sqlite")
        try LockerDatabase.migrator.migrate(queue, upTo: "v6-inline-blobs")
        try queue.write { db in
            for (id, name) in [("in.gov.cowin", "CoWIN"), ("in.school.board", "Board"), ("in.gov.idle", "Idle")] {
                try db.execute(sql: "INSERT INTO issuers (id, name, publicKey, apiKeyHash, disabled, createdAt) VALUES (?, ?, ?, ?, 0, '2026-01-01 00:00:00.000')",
                               arguments: [id, name, Data([1]), Data(id.utf8)])
            }
            try db.execute(sql: "INSERT INTO citizens (id, mobileHash, mobileSealed, dekWrapped, kekVersion, dekVersion, createdAt) VALUES ('c1', x'01', x'02', x'03', 1, 1, '2026-01-01 00:00:00.000')")
            let pushed = [("in.gov.cowin", "VACER", "1"), ("in.gov.cowin", "VACER", "2"), ("in.school.board", "MARKS", "3"), ("in.school.board", "VACER", "4")]
            for (issuer, type, doc) in pushed {
                try db.execute(sql: """
                    INSERT INTO documents (id, ownerID, uri, issuerID, docType, issuerDocID, issuedOn, version, blobID, contentKeyWrapped, dekVersion, size,
                                           contentType, contentSHA256, createdAt, updatedAt)
                    VALUES (?, 'c1', ?, ?, ?, ?, '2026-01-01', 1, ?, x'00', 1, 1, 'application/pdf', x'00', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000')
                    """, arguments: ["d\(doc)", "\(issuer)-\(type)-\(doc)", issuer, type, doc, "b\(doc)"])
            }
        }
        try LockerDatabase.migrator.migrate(queue)
        let issuers = try queue.read { db in try IssuerRecord.fetchAll(db) }
        let types = Dictionary(uniqueKeysWithValues: issuers.map { ($0.id, $0.docTypeList) })
        #expect(types == ["in.gov.cowin": ["VACER"], "in.school.board": ["MARKS", "VACER"], "in.gov.idle": []])
        #expect(issuers.first { $0.id == "in.school.board" }?.mayIssue("MARKS") == true)
        #expect(issuers.first { $0.id == "in.gov.idle" }?.mayIssue("VACER") == false)
    }
}
