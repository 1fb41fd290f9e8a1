import Foundation
import LockerCore
import PostgresNIO

extension PostgresTransaction: ShareTransaction {
    public func grant(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, CitizenRecord)? {
        var binds = PostgresBindings()
        try binds.append(tokenHash)
        guard let row = try connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(PGSelect.share), \(PGSelect.document), \(PGSelect.citizen)
            FROM shares s JOIN documents d ON d.id = s.documentID JOIN citizens c ON c.id = s.ownerID WHERE s.tokenHash = $1
            """, binds: binds)).first else { return nil }
        return (try row.record(prefix: "s"), try row.record(prefix: "d"), try row.record(prefix: "c"))
    }

    public func pulledGrant(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, CitizenRecord)? {
        guard let share: ShareRecord = try connection.query("SELECT * FROM shares WHERE tokenHash = \(tokenHash)").first?.record(),
              let pulled: PulledDocumentRecord = try connection.query("SELECT * FROM pulledDocuments WHERE id = \(share.documentID)").first?.record(),
              pulled.ownerID == share.ownerID,
              let owner: CitizenRecord = try connection.query("SELECT * FROM citizens WHERE id = \(share.ownerID)").first?.record() else { return nil }
        return (share, pulled, owner)
    }

    public func share(id: String) throws -> ShareRecord? {
        try connection.query("SELECT * FROM shares WHERE id = \(id) FOR UPDATE").first?.record()
    }

    public func update(_ share: ShareRecord) throws {
        try connection.execute(PGColumns.update(share, in: "shares", key: "id"))
    }

    /// One conditional UPDATE: PostgreSQL re-checks the condition on the row's newest version
    /// after waiting for a concurrent spender's lock, so uses are exact across nodes.
    public func spendShareUse(id: String, now: Date) throws -> Bool {
        try connection.execute("""
            UPDATE shares SET usesSpent = usesSpent + 1
            WHERE id = \(id) AND usesSpent < maxUses AND revokedAt IS NULL AND expiresAt > \(now) AND wrongPasscodes < \(ShareRecord.passcodeLockout)
              AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = shares.documentID AND d.revokedAt IS NOT NULL)
            """) == 1
    }

    public func refundShareUse(id: String) throws {
        try connection.execute("UPDATE shares SET usesSpent = usesSpent - 1 WHERE id = \(id) AND usesSpent > 0")
    }
}

extension PostgresTransaction: SignInTransaction {
    public func recentChallenges(_ kind: ChallengeKind, key: Data, since: Date) throws -> (count: Int, oldest: Date?) {
        let (table, column): (String, String) = switch kind {
        case .signIn(by: .mobile): ("otpChallenges", "mobileHash")
        case .signIn(by: .client): ("otpChallenges", "clientHash")
        case .kycConsent: ("kycRequests", "mobileHash")
        }
        // Counted once across nodes: tries for the same key wait for each other here, so two
        // nodes cannot both see room under the limit.
        try connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(table + ":" + column + ":" + key.base64EncodedString()), 0))")
        var binds = PostgresBindings()
        try binds.append(key)
        try binds.append(since)
        let row = try connection.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*), MIN(createdAt) FROM \(table) WHERE \(column) = $1 AND createdAt > $2", binds: binds)).first
        return (try row?.decode(0, as: Int.self) ?? 0, try row?.decode(1, as: Date?.self))
    }

    public func insertChallenge(_ challenge: ChallengeRecord) throws { try connection.execute(PGColumns.insert(challenge, into: "otpChallenges")) }

    /// Read with its row locked until commit: a try on another node waits, then sees this one's count.
    public func challenge(id: String) throws -> ChallengeRecord? {
        try connection.query("SELECT * FROM otpChallenges WHERE id = \(id) FOR UPDATE").first?.record()
    }

    public func updateChallenge(_ challenge: ChallengeRecord) throws { try connection.execute(PGColumns.update(challenge, in: "otpChallenges", key: "id")) }
    public func insertKYCRequest(_ request: KYCRequestRecord) throws { try connection.execute(PGColumns.insert(request, into: "kycRequests")) }

    public func kycRequest(id: String) throws -> KYCRequestRecord? {
        try connection.query("SELECT * FROM kycRequests WHERE id = \(id) FOR UPDATE").first?.record()
    }

    public func updateKYCRequest(_ request: KYCRequestRecord) throws { try connection.execute(PGColumns.update(request, in: "kycRequests", key: "id")) }
    public func verifier(id: String) throws -> VerifierRecord? { try connection.query("SELECT * FROM verifiers WHERE id = \(id)").first?.record() }
    public func citizen(mobileHash: Data) throws -> CitizenRecord? { try connection.query("SELECT * FROM citizens WHERE mobileHash = \(mobileHash)").first?.record() }
    public func insertCitizen(_ citizen: CitizenRecord) throws { try connection.execute(PGColumns.insert(citizen, into: "citizens")) }
    public func insertSession(_ session: SessionRecord) throws { try connection.execute(PGColumns.insert(session, into: "sessions")) }

    public func revokeSession(id: String, at: Date) throws -> Bool {
        guard try connection.execute("UPDATE sessions SET revokedAt = \(at) WHERE id = \(id)") == 1 else { return false }
        sessionsEnded()
        return true
    }
}
