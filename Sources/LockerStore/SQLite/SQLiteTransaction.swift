import Foundation
import GRDB
import LockerCore

/// The rules' view of one write transaction on SQLite: each port's transaction protocol
/// (`ShareTransaction`, `SignInTransaction`) over the same `Database`, valid only inside the
/// job that received it.
struct SQLiteTransaction {
    let db: Database
}

extension SQLiteTransaction: ShareTransaction {
    func grant(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, CitizenRecord)? {
        try HotQueries.share(db, tokenHash: tokenHash)
    }

    func pulledGrant(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, CitizenRecord)? {
        guard let share = try ShareRecord.filter(ShareRecord.Columns.tokenHash == tokenHash).fetchOne(db),
              let pulled = try PulledDocumentRecord.fetchOne(db, key: share.documentID), pulled.ownerID == share.ownerID,
              let owner = try HotQueries.citizen(db, id: share.ownerID) else { return nil }
        return (share, pulled, owner)
    }

    func share(id: String) throws -> ShareRecord? {
        try ShareRecord.fetchOne(db, key: id)
    }

    func update(_ share: ShareRecord) throws {
        try share.update(db)
    }

    func spendShareUse(id: String, now: Date) throws -> Bool {
        let s = try db.cachedStatement(sql: """
            UPDATE shares SET usesSpent = usesSpent + 1
            WHERE id = ? AND usesSpent < maxUses AND revokedAt IS NULL AND expiresAt > ? AND wrongPasscodes < ?
              AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = shares.documentID AND d.revokedAt IS NOT NULL)
            """)
        try s.execute(arguments: [id, Timestamp.sqliteText(now), ShareRecord.passcodeLockout])
        return db.changesCount == 1
    }

    func refundShareUse(id: String) throws {
        try db.execute(sql: "UPDATE shares SET usesSpent = usesSpent - 1 WHERE id = ? AND usesSpent > 0", arguments: [id])
    }

    func appendAudit(_ entry: AuditEntry) throws {
        try AuditLog.append(db, entry)
    }
}

extension SQLiteTransaction: SignInTransaction {
    func recentChallenges(_ kind: ChallengeKind, key: Data, since: Date) throws -> (count: Int, oldest: Date?) {
        let (table, column): (String, String) = switch kind {
        case .signIn(by: .mobile): ("otpChallenges", "mobileHash")
        case .signIn(by: .client): ("otpChallenges", "clientHash")
        case .kycConsent: ("kycRequests", "mobileHash")
        }
        let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MIN(createdAt) FROM \(table) WHERE \(column) = ? AND createdAt > ?", arguments: [key, since])
        return (row?[0] ?? 0, row?[1])
    }

    func insertChallenge(_ challenge: ChallengeRecord) throws { try challenge.insert(db) }
    func challenge(id: String) throws -> ChallengeRecord? { try ChallengeRecord.fetchOne(db, key: id) }
    func updateChallenge(_ challenge: ChallengeRecord) throws { try challenge.update(db) }
    func insertKYCRequest(_ request: KYCRequestRecord) throws { try request.insert(db) }
    func kycRequest(id: String) throws -> KYCRequestRecord? { try KYCRequestRecord.fetchOne(db, key: id) }
    func updateKYCRequest(_ request: KYCRequestRecord) throws { try request.update(db) }
    func verifier(id: String) throws -> VerifierRecord? { try VerifierRecord.fetchOne(db, key: id) }
    func citizen(mobileHash: Data) throws -> CitizenRecord? { try HotQueries.citizen(db, mobileHash: mobileHash) }
    func insertCitizen(_ citizen: CitizenRecord) throws { try citizen.insert(db) }
    func insertSession(_ session: SessionRecord) throws { try session.insert(db) }

    func revokeSession(id: String, at: Date) throws -> Bool {
        guard var stored = try SessionRecord.fetchOne(db, key: id) else { return false }
        stored.revokedAt = at
        try stored.update(db)
        return true
    }
}
