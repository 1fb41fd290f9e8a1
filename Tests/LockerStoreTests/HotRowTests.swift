import Foundation
import GRDB
import Testing
@testable import LockerStore

@Suite("Position-decoded hot rows")
struct HotRowTests {
    /// Every column filled (optionals both set and unset) so a swapped pair of same-typed
    /// columns shows up as a difference.
    @Test("each hot query decodes exactly what GRDB's Codable decoding reads from the same row")
    func matchesCodable() throws {
        let storage = TempStorage()
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        let database = try LockerDatabase(path: storage.path + "/locker.sqlite")
        let t0 = Date(timeIntervalSince1970: 1_795_000_000.123)
        let citizen = CitizenRecord(id: "c1", mobileHash: Data([1, 2]), mobileSealed: Data([3]), dekWrapped: Data([4, 5, 6]), kekVersion: 3, dekVersion: 7, createdAt: t0)
        let documents = [
            DocumentRecord(id: "d1", ownerID: "c1", uri: "in.gov.x-VACER-1", issuerID: "in.gov.x", docType: "VACER", issuerDocID: "1", issuedOn: "2026-01-02",
                           version: 4, blobID: "b1", contentKeyWrapped: Data([9]), dekVersion: 7, size: 1234, contentType: "application/pdf",
                           contentSHA256: Data([8, 8]), claimsSealed: Data([7]), signature: Data([6]), revokedAt: t0.addingTimeInterval(5),
                           createdAt: t0.addingTimeInterval(1), updatedAt: t0.addingTimeInterval(2), metadataSHA256: Data([5]), holderSealed: Data([4])),
            DocumentRecord(id: "d2", ownerID: "c1", uri: "in.gov.x-VACER-2", issuerID: "in.gov.x", docType: "VACER", issuerDocID: "2", issuedOn: "2026-01-03",
                           version: 1, blobID: "b2", contentKeyWrapped: Data([1]), dekVersion: 7, size: 10, contentType: "application/json",
                           contentSHA256: Data([2]), createdAt: t0, updatedAt: t0),
        ]
        let session = SessionRecord(id: "s1", tokenHash: Data([0xAA]), citizenID: "c1", createdAt: t0, expiresAt: t0.addingTimeInterval(3600))
        let shares = [
            ShareRecord(id: "g1", tokenHash: Data([0xBB]), documentID: "d2", ownerID: "c1", scope: .status, label: "bank", maxUses: 9, usesSpent: 2,
                        passcodeHash: Data([1]), wrongPasscodes: 1, createdAt: t0, expiresAt: t0.addingTimeInterval(60), revokedAt: t0.addingTimeInterval(30)),
            ShareRecord(id: "g2", tokenHash: Data([0xCC]), documentID: "d1", ownerID: "c1", scope: .document, label: "hr", maxUses: 1,
                        createdAt: t0, expiresAt: t0.addingTimeInterval(90)),
        ]
        let issuers = [
            IssuerRecord(id: "in.gov.x", name: "X", publicKey: Data([1, 2, 3]), apiKeyHash: Data([0xE1]), createdAt: t0, docTypes: ["VACER", "MARKS"]),
            IssuerRecord(id: "in.gov.y", name: "Y", publicKey: Data([4]), apiKeyHash: Data([0xE2]), disabled: true, createdAt: t0.addingTimeInterval(9)),
        ]
        try database.pool.write { db in
            for i in issuers { try i.insert(db) }
            try citizen.insert(db)
            for d in documents { try d.insert(db) }
            try session.insert(db)
            for s in shares { try s.insert(db) }
        }
        try database.pool.read { db in
            let viaSession = try #require(try HotQueries.session(db, tokenHash: Data([0xAA])))
            #expect(viaSession.0 == (try SessionRecord.fetchOne(db, key: "s1")))
            #expect(viaSession.1 == (try CitizenRecord.fetchOne(db, key: "c1")))
            #expect(try HotQueries.citizen(db, mobileHash: Data([1, 2])) == (try CitizenRecord.fetchOne(db, key: "c1")))
            for d in documents {
                #expect(try HotQueries.ownedDocument(db, id: d.id, ownerID: "c1") == (try DocumentRecord.fetchOne(db, key: d.id)))
                #expect(try HotQueries.ownedDocument(db, id: d.id, ownerID: "someone-else") == nil)
            }
            for s in shares {
                let found = try #require(try HotQueries.share(db, tokenHash: s.tokenHash))
                #expect(found.0 == (try ShareRecord.fetchOne(db, key: s.id)))
                #expect(found.1 == (try DocumentRecord.fetchOne(db, key: s.documentID)))
            }
            #expect(try HotQueries.vaccinationCertificates(db, ownerID: "c1", issuedNoLaterThan: "2026-12-31").map(\.id) == ["d2"])
            #expect(try HotQueries.vaccinationCertificates(db, ownerID: "c1", issuedNoLaterThan: "2026-01-02").isEmpty, "a later issue date does not count")
            #expect(try HotQueries.share(db, tokenHash: Data([0xDD])) == nil)
            for i in issuers {
                #expect(try HotQueries.issuer(db, apiKeyHash: i.apiKeyHash) == (try IssuerRecord.fetchOne(db, key: i.id)))
            }
            #expect(try HotQueries.issuer(db, apiKeyHash: Data([0xE3])) == nil)
        }
        // A row inserted by insertHot reads back (through Codable) exactly like one inserted by
        // GRDB's Codable insert, for a document with every optional set and one with none.
        for d in documents {
            var viaHot = d
            viaHot.id += "-hot"
            viaHot.uri += "-hot"
            viaHot.blobID += "-hot"
            try database.pool.write { db in try viaHot.insertHot(db) }
            try database.pool.read { db in
                var back = try #require(try DocumentRecord.fetchOne(db, key: viaHot.id))
                let reference = try #require(try DocumentRecord.fetchOne(db, key: d.id))
                back.id = reference.id
                back.uri = reference.uri
                back.blobID = reference.blobID
                #expect(back == reference)
            }
        }
    }
}
