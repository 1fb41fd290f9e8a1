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
}
