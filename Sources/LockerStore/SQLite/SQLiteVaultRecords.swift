import Foundation
import GRDB
import LockerCore

/// `VaultRecords` on the embedded database. The rewrap lock is a file lock under the storage
/// folder; a rekey's ended sessions reach the running server through `SessionEpoch`.
struct SQLiteVaultRecords: VaultRecords {
    let database: LockerDatabase
    let layout: StorageLayout

    func citizen(id: String) throws -> CitizenRecord? {
        try database.read { db in try HotQueries.citizen(db, id: id) }
    }

    func document(id: String, owner ownerID: String) throws -> (DocumentRecord?, CitizenRecord?) {
        try database.read { db in (try HotQueries.document(db, id: id), try HotQueries.citizen(db, id: ownerID)) }
    }

    func referencedBlobIDs() throws -> Set<String> {
        try database.pool.read { db in Set(try String.fetchAll(db, sql: "SELECT blobID FROM documents")) }
    }

    func saveDocument(_ record: DocumentRecord, inlineBytes: Data?) throws {
        try database.pool.write { db in
            try record.save(db)
            if let inlineBytes { try SQLiteBlobStore.insertInline(db, id: record.blobID, bytes: inlineBytes) }
        }
    }

    func appendAudit(_ entry: AuditEntry) throws {
        try database.pool.write { db in _ = try AuditLog.append(db, entry) }
    }

    func rekey(citizenID id: String, revokeShares: Bool, now: Date,
               change: (CitizenRecord, [DocumentRecord]) throws -> (CitizenRecord, [DocumentRecord]),
               audit: (CitizenRecord, _ documents: Int, _ sessions: Int, _ shares: Int, _ connections: Int) -> AuditEntry) throws -> (citizen: CitizenRecord, documents: Int, sessions: Int, shares: Int, connections: Int)? {
        let result = try database.pool.write { db -> (citizen: CitizenRecord, documents: Int, sessions: Int, shares: Int, connections: Int)? in
            guard let citizen = try CitizenRecord.fetchOne(db, key: id) else { return nil }
            let documents = try DocumentRecord.filter(DocumentRecord.Columns.ownerID == id).fetchAll(db)
            let (changed, changedDocuments) = try change(citizen, documents)
            for document in changedDocuments { try document.update(db) }
            try changed.update(db)
            try db.execute(sql: "UPDATE sessions SET revokedAt = ? WHERE citizenID = ? AND revokedAt IS NULL", arguments: [now, id])
            let sessions = db.changesCount
            var shares = 0
            if revokeShares {
                try db.execute(sql: "UPDATE shares SET revokedAt = ? WHERE ownerID = ? AND revokedAt IS NULL", arguments: [now, id])
                shares = db.changesCount
            }
            try db.execute(sql: "UPDATE partnerConnections SET endedAt = ?, endedReason = 'rekey' WHERE citizenID = ? AND endedAt IS NULL", arguments: [now, id])
            let connections = db.changesCount
            try AuditLog.append(db, audit(changed, documents.count, sessions, shares, connections))
            return (changed, documents.count, sessions, shares, connections)
        }
        // A running lockerd drops its cached sessions on its next request.
        if result != nil { try SessionEpoch(layout: layout).bump() }
        return result
    }

    func wrapCounts() throws -> WrapCounts {
        try database.pool.read { db in
            WrapCounts(dataKeys: try LockerDatabase.countByKEKVersion(db, table: "citizens"),
                       signingKeys: try LockerDatabase.countByKEKVersion(db, table: "signingKeys"))
        }
    }

    func citizenCount(notUnder version: Int?) throws -> Int {
        try database.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM citizens WHERE kekVersion <> ?", arguments: [version ?? -1]) ?? 0
        }
    }

    func citizens(after cursor: Int64, notUnder version: Int?, limit: Int) throws -> [(cursor: Int64, record: CitizenRecord)] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, * FROM citizens WHERE rowid > ? AND kekVersion <> ? ORDER BY rowid LIMIT ?",
                             arguments: [cursor, version ?? -1, limit])
                .map { (cursor: $0["rowid"] as Int64, record: try CitizenRecord(row: $0)) }
        }
    }

    func pendingWraps(after cursor: Int64, notUnder version: Int, limit: Int) throws -> [PendingWrap] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT rowid, id, dekWrapped, kekVersion FROM citizens WHERE rowid > ? AND kekVersion <> ? ORDER BY rowid LIMIT ?",
                             arguments: [cursor, version, limit])
                .map { PendingWrap(rowID: $0[0], ownerID: $0[1], wrapped: $0[2], kekVersion: $0[3]) }
        }
    }

    func storeRewrapped(_ changes: [(citizenID: String, old: Data, new: Data)], target: Int) throws -> Int {
        try database.pool.write { db -> Int in
            let update = try db.cachedStatement(sql: "UPDATE citizens SET dekWrapped = ?, kekVersion = ? WHERE id = ? AND dekWrapped = ?")
            var changed = 0
            for change in changes {
                try update.execute(arguments: [change.new, target, change.citizenID, change.old])
                changed += db.changesCount
            }
            return changed
        }
    }

    func allDocuments() throws -> [DocumentRecord] {
        try database.pool.read { db in try DocumentRecord.fetchAll(db) }
    }

    func lastAuditEntry() throws -> (seq: Int64, hash: Data)? {
        try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM auditLog ORDER BY seq DESC LIMIT 1").map { ($0["seq"], $0["hash"]) }
        }
    }

    func auditEntries(from: Int64, through: Int64) throws -> [AuditRecord] {
        try database.pool.read { db in
            try AuditRecord.filter(Column("seq") >= from && Column("seq") <= through).order(Column("seq")).fetchAll(db)
        }
    }

    func auditRange(before date: Date) throws -> (first: Int64, last: Int64)? {
        try database.pool.read { db in
            guard let first = try Int64.fetchOne(db, sql: "SELECT MIN(seq) FROM auditLog"),
                  let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM auditLog WHERE at < ?", arguments: [date]) else { return nil }
            return (first, last)
        }
    }

    func auditArchives() throws -> [AuditArchiveRecord] {
        try database.pool.read { db in try AuditArchiveRecord.order(Column("firstSeq")).fetchAll(db) }
    }

    func recordAuditArchive(_ archive: AuditArchiveRecord, audit: AuditEntry) throws {
        try database.pool.write { db in
            try archive.insert(db)
            try db.execute(sql: """
                DROP TRIGGER auditLog_no_delete;
                DELETE FROM auditLog WHERE seq BETWEEN \(archive.firstSeq) AND \(archive.lastSeq);
                CREATE TRIGGER auditLog_no_delete BEFORE DELETE ON auditLog BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                """)
            try AuditLog.append(db, audit)
        }
    }

    func auditHash(seq: Int64) throws -> Data? {
        try database.pool.read { db in try Data.fetchOne(db, sql: "SELECT hash FROM auditLog WHERE seq = ?", arguments: [seq]) }
    }

    func signingKeys() throws -> [SigningKeyRecord] {
        try database.pool.read { db in try SigningKeyRecord.order(SigningKeyRecord.Columns.createdAt.desc).fetchAll(db) }
    }

    func activeSigningKey(alg: String) throws -> SigningKeyRecord? {
        try database.read { db in
            try SigningKeyRecord.filter(SigningKeyRecord.Columns.retiredAt == nil && SigningKeyRecord.Columns.alg == alg).order(SigningKeyRecord.Columns.createdAt.desc).fetchOne(db)
        }
    }

    func insertSigningKeyUnlessActive(_ fresh: SigningKeyRecord) throws -> SigningKeyRecord {
        try database.pool.write { db in
            if let raced = try SigningKeyRecord.filter(SigningKeyRecord.Columns.retiredAt == nil && SigningKeyRecord.Columns.alg == fresh.alg).fetchOne(db) { return raced }
            try fresh.insert(db)
            return fresh
        }
    }

    func rollSigningKeys(to fresh: SigningKeyRecord, now: Date, publishUntil: Date, audit: ([String]) -> AuditEntry) throws -> [String] {
        try database.pool.write { db in
            var retired = [String]()
            for var old in try SigningKeyRecord.filter(SigningKeyRecord.Columns.retiredAt == nil && SigningKeyRecord.Columns.alg == fresh.alg).fetchAll(db) {
                old.retiredAt = now
                old.publishUntil = publishUntil
                try old.update(db)
                retired.append(old.kid)
            }
            try fresh.insert(db)
            try AuditLog.append(db, audit(retired))
            return retired
        }
    }

    func storeRewrappedSigningKeys(_ changes: [(kid: String, old: Data, new: Data)], target: Int) throws -> Int {
        try database.pool.write { db -> Int in
            var changed = 0
            for change in changes {
                try db.execute(sql: "UPDATE signingKeys SET privateKeyWrapped = ?, kekVersion = ? WHERE kid = ? AND privateKeyWrapped = ?",
                               arguments: [change.new, target, change.kid, change.old])
                changed += db.changesCount
            }
            return changed
        }
    }

    func liveAdminCredentialHashes() throws -> [Data] {
        try database.read { db in try Data.fetchAll(db, sql: "SELECT hash FROM adminCredentials WHERE revokedAt IS NULL") }
    }

    func storeAdminCredential(id: String, hash: Data, revokeOthers: Bool, now: Date, audit: AuditEntry) throws {
        try database.pool.write { db in
            if revokeOthers {
                try db.execute(sql: "UPDATE adminCredentials SET revokedAt = ? WHERE revokedAt IS NULL", arguments: [now])
            }
            try db.execute(sql: "INSERT INTO adminCredentials (id, hash, createdAt) VALUES (?, ?, ?)", arguments: [id, hash, now])
            try AuditLog.append(db, audit)
        }
    }

    func rewrapLock(wait: Bool) throws -> AnyObject? {
        wait ? try FileLock.acquire(layout.rewrapLockPath) : try FileLock.tryAcquire(layout.rewrapLockPath)
    }
}
