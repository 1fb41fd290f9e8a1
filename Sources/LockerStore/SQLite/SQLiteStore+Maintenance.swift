import Foundation
import GRDB

extension SQLiteStore: StorageMaintenance {
    public func ping() throws {
        try database.read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func checkpoint() throws {
        _ = try database.checkpoint()
        StoreMetrics.walBytes.record(database.walBytes)
    }

    public func restartLogIfLarge() async throws -> Int? {
        guard database.walBytes > LockerDatabase.walSizeLimit else { return nil }
        let (frames, _) = try await committer.betweenBatches { db in try LockerDatabase.restartWAL(db) }
        return frames
    }

    public func pruneExpired(now: Date) async throws -> PruneCounts {
        let cutoff = now.addingTimeInterval(-Pruning.keep)
        return try await committer.write { db in
            try db.execute(sql: "DELETE FROM otpChallenges WHERE createdAt < ? AND expiresAt < ?", arguments: [cutoff, now])
            let challenges = db.changesCount
            try db.execute(sql: "DELETE FROM kycRequests WHERE createdAt < ? AND expiresAt < ?", arguments: [cutoff, now])
            let kycRequests = db.changesCount
            try db.execute(sql: "DELETE FROM sessions WHERE expiresAt < ? OR revokedAt < ?", arguments: [cutoff, cutoff])
            let sessions = db.changesCount
            try db.execute(sql: """
                DELETE FROM partnerTokens WHERE expiresAt < ?
                   OR connectionID IN (SELECT id FROM partnerConnections WHERE endedAt < ? OR expiresAt < ?)
                """, arguments: [cutoff, cutoff, cutoff])
            let tokens = db.changesCount
            try db.execute(sql: "DELETE FROM pushURINonces WHERE createdAt < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM partnerConnections WHERE endedAt < ? OR expiresAt < ?", arguments: [cutoff, cutoff])
            return PruneCounts(challenges: challenges, kycRequests: kycRequests, sessions: sessions, partnerTokens: tokens, partnerConnections: db.changesCount)
        }
    }
}
