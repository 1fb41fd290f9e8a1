import Foundation
import LockerCore
import PostgresNIO

/// `VaultRecords` on PostgreSQL. The rewrap lock is a session-level advisory lock held on a
/// connection of its own, so it is the deployment's one lock and is released by PostgreSQL
/// itself if the process holding it dies.
public struct PostgresVaultRecords: VaultRecords {
    let pool: PostgresPool

    public func citizen(id: String) throws -> CitizenRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM citizens WHERE id = \(id)").first?.record() }
    }

    public func document(id: String, owner ownerID: String) throws -> (DocumentRecord?, CitizenRecord?) {
        try pool.transaction { c in
            (try c.query("SELECT * FROM documents WHERE id = \(id)").first?.record(),
             try c.query("SELECT * FROM citizens WHERE id = \(ownerID)").first?.record())
        }
    }

    public func referencedBlobIDs() throws -> Set<String> {
        try pool.withConnection { c in Set(try c.query("SELECT blobID FROM documents").map { try $0.decode(0, as: String.self) }) }
    }

    public func saveDocument(_ record: DocumentRecord, inlineBytes: Data?) throws {
        try pool.transaction { c in
            try c.execute("DELETE FROM documents WHERE id = \(record.id)")
            try c.execute(PGColumns.insert(record, into: "documents"))
            if let inlineBytes { try PostgresBlobStore.insert(c, id: record.blobID, bytes: inlineBytes) }
        }
    }

    public func appendAudit(_ entry: AuditEntry) throws {
        try pool.write { tx in try tx.appendAudit(entry) }
    }

    public func rekey(citizenID id: String, revokeShares: Bool, now: Date,
                      change: (CitizenRecord, [DocumentRecord]) throws -> (CitizenRecord, [DocumentRecord]),
                      audit: (CitizenRecord, _ documents: Int, _ sessions: Int, _ shares: Int, _ connections: Int) -> AuditEntry) throws -> (citizen: CitizenRecord, documents: Int, sessions: Int, shares: Int, connections: Int)? {
        try pool.write { tx in
            let c = tx.connection
            // Locked: a push on any node waits (its `FOR SHARE` read) and then sees the new key version.
            guard let citizen: CitizenRecord = try c.query("SELECT * FROM citizens WHERE id = \(id) FOR UPDATE").first?.record() else { return nil }
            let documents: [DocumentRecord] = try c.query("SELECT * FROM documents WHERE ownerID = \(id) FOR UPDATE").map { try $0.record() }
            let (changed, changedDocuments) = try change(citizen, documents)
            for document in changedDocuments { try c.execute(PGColumns.update(document, in: "documents", key: "id")) }
            try c.execute(PGColumns.update(changed, in: "citizens", key: "id"))
            let sessions = try c.execute("UPDATE sessions SET revokedAt = \(now) WHERE citizenID = \(id) AND revokedAt IS NULL")
            let shares = revokeShares ? try c.execute("UPDATE shares SET revokedAt = \(now) WHERE ownerID = \(id) AND revokedAt IS NULL") : 0
            let connections = try c.execute("UPDATE partnerConnections SET endedAt = \(now), endedReason = 'rekey' WHERE citizenID = \(id) AND endedAt IS NULL")
            tx.sessionsEnded()
            try tx.appendAudit(audit(changed, documents.count, sessions, shares, connections))
            return (changed, documents.count, sessions, shares, connections)
        }
    }

    public func wrapCounts() throws -> WrapCounts {
        try pool.withConnection { c in
            func counts(_ table: String) throws -> [Int: Int] {
                Dictionary(uniqueKeysWithValues: try c.query(PostgresQuery(unsafeSQL: "SELECT kekVersion, COUNT(*) FROM \(table) GROUP BY kekVersion"))
                    .map { (try $0.decode(0, as: Int.self), try $0.decode(1, as: Int.self)) })
            }
            return WrapCounts(dataKeys: try counts("citizens"), signingKeys: try counts("signingKeys"))
        }
    }

    public func citizenCount(notUnder version: Int?) throws -> Int {
        try pool.withConnection { c in try c.query("SELECT COUNT(*) FROM citizens WHERE kekVersion <> \(version ?? -1)").first?.decode(0, as: Int.self) ?? 0 }
    }

    public func citizens(after cursor: Int64, notUnder version: Int?, limit: Int) throws -> [(cursor: Int64, record: CitizenRecord)] {
        try pool.withConnection { c in
            try c.query("SELECT * FROM citizens WHERE n > \(cursor) AND kekVersion <> \(version ?? -1) ORDER BY n LIMIT \(limit)")
                .map { (cursor: try $0.decode("n", as: Int64.self), record: try $0.record()) }
        }
    }

    public func pendingWraps(after cursor: Int64, notUnder version: Int, limit: Int) throws -> [PendingWrap] {
        try pool.withConnection { c in
            try c.query("SELECT n, id, dekWrapped, kekVersion FROM citizens WHERE n > \(cursor) AND kekVersion <> \(version) ORDER BY n LIMIT \(limit)")
                .map { row in
                    PendingWrap(rowID: try row.decode(0, as: Int64.self), ownerID: try row.decode(1, as: String.self),
                                wrapped: try row.decode(2, as: Data.self), kekVersion: try row.decode(3, as: Int.self))
                }
        }
    }

    public func storeRewrapped(_ changes: [(citizenID: String, old: Data, new: Data)], target: Int) throws -> Int {
        guard !changes.isEmpty else { return 0 }
        // One statement per batch (three arrays unnested), not one round trip per key: each row
        // still changes only if it holds the exact wrapped bytes this batch read.
        let ids = changes.map(\.citizenID)
        let old = changes.map { ByteBuffer(bytes: $0.old) }
        let new = changes.map { ByteBuffer(bytes: $0.new) }
        return try pool.transaction { c in
            try c.execute("""
                UPDATE citizens AS c SET dekWrapped = u.new, kekVersion = \(target)
                FROM unnest(\(ids)::text[], \(old)::bytea[], \(new)::bytea[]) AS u(id, old, new)
                WHERE c.id = u.id AND c.dekWrapped = u.old
                """)
        }
    }

    public func allDocuments() throws -> [DocumentRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM documents ORDER BY id").map { try $0.record() } }
    }

    public func lastAuditEntry() throws -> (seq: Int64, hash: Data)? {
        try pool.withConnection { c in
            try c.query("SELECT seq, hash FROM auditLog ORDER BY seq DESC LIMIT 1").first.map { (try $0.decode(0, as: Int64.self), try $0.decode(1, as: Data.self)) }
        }
    }

    public func auditEntries(from: Int64, through: Int64) throws -> [AuditRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM auditLog WHERE seq >= \(from) AND seq <= \(through) ORDER BY seq").map { try $0.record() } }
    }

    public func auditRange(before date: Date) throws -> (first: Int64, last: Int64)? {
        try pool.withConnection { c in
            guard let first = try c.query("SELECT MIN(seq) FROM auditLog").first?.decode(0, as: Int64?.self),
                  let last = try c.query("SELECT MAX(seq) FROM auditLog WHERE at < \(date)").first?.decode(0, as: Int64?.self) else { return nil }
            return (first, last)
        }
    }

    public func auditArchives() throws -> [AuditArchiveRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM auditArchives ORDER BY firstSeq").map { try $0.record() } }
    }

    public func recordAuditArchive(_ archive: AuditArchiveRecord, audit: AuditEntry) throws {
        try pool.write { tx in
            let c = tx.connection
            try c.execute(PGColumns.insert(archive, into: "auditArchives"))
            // The one deletion the append-only log allows, with its guard off only inside this transaction.
            try c.execute(PostgresQuery(unsafeSQL: "ALTER TABLE auditLog DISABLE TRIGGER auditLog_no_change"))
            try c.execute("DELETE FROM auditLog WHERE seq >= \(archive.firstSeq) AND seq <= \(archive.lastSeq)")
            try c.execute(PostgresQuery(unsafeSQL: "ALTER TABLE auditLog ENABLE TRIGGER auditLog_no_change"))
            try tx.appendAudit(audit)
        }
    }

    public func auditHash(seq: Int64) throws -> Data? {
        try pool.withConnection { c in try c.query("SELECT hash FROM auditLog WHERE seq = \(seq)").first?.decode(0, as: Data.self) }
    }

    public func signingKeys() throws -> [SigningKeyRecord] {
        try pool.withConnection { c in try c.query("SELECT * FROM signingKeys ORDER BY createdAt DESC").map { try $0.record() } }
    }

    public func activeSigningKey(alg: String) throws -> SigningKeyRecord? {
        try pool.withConnection { c in try c.query("SELECT * FROM signingKeys WHERE retiredAt IS NULL AND alg = \(alg) ORDER BY createdAt DESC LIMIT 1").first?.record() }
    }

    public func insertSigningKeyUnlessActive(_ fresh: SigningKeyRecord) throws -> SigningKeyRecord {
        try pool.transaction { c in
            // Nodes making the first key at once take turns; the later ones find it.
            try c.execute("SELECT pg_advisory_xact_lock(hashtextextended('locker-signing-keys', 0))")
            if let raced: SigningKeyRecord = try c.query("SELECT * FROM signingKeys WHERE retiredAt IS NULL AND alg = \(fresh.alg) ORDER BY createdAt DESC LIMIT 1").first?.record() {
                return raced
            }
            try c.execute(PGColumns.insert(fresh, into: "signingKeys"))
            return fresh
        }
    }

    public func rollSigningKeys(to fresh: SigningKeyRecord, now: Date, publishUntil: Date, audit: ([String]) -> AuditEntry) throws -> [String] {
        try pool.write { tx in
            let c = tx.connection
            try c.execute("SELECT pg_advisory_xact_lock(hashtextextended('locker-signing-keys', 0))")
            let retired = try c.query("UPDATE signingKeys SET retiredAt = \(now), publishUntil = \(publishUntil) WHERE retiredAt IS NULL AND alg = \(fresh.alg) RETURNING kid")
                .map { try $0.decode(0, as: String.self) }
            try c.execute(PGColumns.insert(fresh, into: "signingKeys"))
            try tx.appendAudit(audit(retired))
            return retired
        }
    }

    public func storeRewrappedSigningKeys(_ changes: [(kid: String, old: Data, new: Data)], target: Int) throws -> Int {
        guard !changes.isEmpty else { return 0 }
        return try pool.transaction { c in
            var changed = 0
            for change in changes {
                changed += try c.execute("UPDATE signingKeys SET privateKeyWrapped = \(change.new), kekVersion = \(target) WHERE kid = \(change.kid) AND privateKeyWrapped = \(change.old)")
            }
            return changed
        }
    }

    public func liveAdminCredentialHashes() throws -> [Data] {
        try pool.withConnection { c in try c.query("SELECT hash FROM adminCredentials WHERE revokedAt IS NULL").map { try $0.decode(0, as: Data.self) } }
    }

    public func storeAdminCredential(id: String, hash: Data, revokeOthers: Bool, now: Date, audit: AuditEntry) throws {
        try pool.write { tx in
            if revokeOthers { try tx.connection.execute("UPDATE adminCredentials SET revokedAt = \(now) WHERE revokedAt IS NULL") }
            try tx.connection.execute("INSERT INTO adminCredentials (id, hash, createdAt) VALUES (\(id), \(hash), \(now))")
            try tx.appendAudit(audit)
        }
    }

    public func rewrapLock(wait: Bool) throws -> AnyObject? {
        let connection = try pool.connect()
        let holder = AdvisoryLock(connection: connection)
        let sql = wait ? "SELECT pg_advisory_lock(\(PostgresSchema.rewrapLock)), true" : "SELECT true, pg_try_advisory_lock(\(PostgresSchema.rewrapLock))"
        let got = try PGConnection(connection: connection, answerWithin: wait ? nil : PGConnection.answerDeadline).query(PostgresQuery(unsafeSQL: sql)).first?.decode(1, as: Bool.self) ?? false
        return got ? holder : nil
    }

    /// Holds a session-level advisory lock until released: closing the connection releases it.
    final class AdvisoryLock {
        let connection: PostgresConnection
        init(connection: PostgresConnection) { self.connection = connection }
        deinit { closeQuietly(connection) }
    }
}
