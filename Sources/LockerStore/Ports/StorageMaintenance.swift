import Foundation

/// Upkeep a storage engine needs between requests, and the health check's probe.
public protocol StorageMaintenance: Sendable {
    /// Answers when the database answers; throws otherwise.
    func ping() throws
    /// Routine upkeep that may block (SQLite: a PASSIVE WAL checkpoint); run off request threads.
    func checkpoint() throws
    /// Upkeep that must run between write batches when due (SQLite: restarting a WAL that grew
    /// past its limit); returns the frames it copied, or nil when nothing was due.
    func restartLogIfLarge() async throws -> Int?
    /// Deletes what has expired and counts for nothing any more: OTP challenges and KYC-VS
    /// requests older than `Pruning.keep` (the hourly limits count the last hour's), and sessions
    /// that ended (expired or signed out) that long ago. Audit entries are never pruned.
    func pruneExpired(now: Date) async throws -> PruneCounts
}
