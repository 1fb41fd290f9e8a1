import Synchronization

/// One request's work for a group committer (`GroupCommitter` on SQLite, `PostgresCommitter`):
/// `run` executes inside the batch transaction on the committer's `Connection`; `finish` is
/// called after the commit with nil (durable) or the error that stopped it.
struct CommitJob<Connection>: Sendable {
    let run: @Sendable (Connection) throws -> Void
    let finish: @Sendable ((any Error)?) -> Void
    /// Runs alone, outside any transaction (maintenance such as restarting the WAL).
    var alone = false

    /// A job that hands `work`'s result to `continuation` once its batch is durable, or the error
    /// that kept it from being so.
    static func resuming<T: Sendable>(_ continuation: CheckedContinuation<T, any Error>,
                                      with work: @escaping @Sendable (Connection) throws -> T) -> CommitJob {
        let value = Mutex<T?>(nil)
        return CommitJob(
            run: { connection in
                let result = try work(connection)
                value.withLock { $0 = result }
            },
            finish: { error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let result = value.withLock({ $0 }) {
                    continuation.resume(returning: result)
                } else {
                    continuation.resume(throwing: StoreError("write was not run"))
                }
            })
    }
}
