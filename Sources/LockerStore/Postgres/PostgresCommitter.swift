import Dispatch
import Foundation
import PostgresNIO
import Synchronization

/// Durable writes for many concurrent requests with one commit, as `GroupCommitter` does on
/// SQLite: requests hand their work to this node's writer threads; each takes everything
/// waiting, runs it in one PostgreSQL transaction and links the batch's audit entries into the
/// deployment's one chain at the end, under one lock of the chain's head row. So the head row is
/// locked once per batch, for the few statements between linking and commit, not once per
/// request; batches (of this node's writers and of other nodes) take turns at it.
public final class PostgresCommitter: Sendable {
    private typealias Job = CommitJob<PostgresTransaction>

    private let pool: PostgresPool
    private let pending = Mutex<[Job]>([])
    private let wakeUp = DispatchSemaphore(value: 0)
    private let completions = DispatchQueue(label: "locker-pg-commit-completions")
    public let maxBatch: Int

    public init(pool: PostgresPool, maxBatch: Int = 256, writers: Int = 1) {
        self.pool = pool
        self.maxBatch = maxBatch
        for i in 0..<writers {
            let thread = Thread { [self] in self.loop() }
            thread.name = "locker-pg-commit-\(i)"
            thread.start()
        }
    }

    /// Runs `work` inside a write transaction and returns once that transaction is committed
    /// (durable: `synchronous_commit` on). If `work` throws, its savepoint is rolled back, its
    /// audit entries dropped, and the error rethrown here.
    public func write<T: Sendable>(_ work: @escaping @Sendable (PostgresTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            pending.withLock { $0.append(.resuming(continuation, with: work)) }
            wakeUp.signal()
        }
    }

    private func loop() {
        while true {
            wakeUp.wait()
            while true {
                let jobs: [Job] = pending.withLock { queue in
                    let n = min(queue.count, maxBatch)
                    defer { queue.removeFirst(n) }
                    return Array(queue.prefix(n))
                }
                if jobs.isEmpty { break }
                let started = DispatchTime.now().uptimeNanoseconds
                StoreMetrics.batchSize.record(jobs.count)
                let outcomes = runBatch(jobs)
                StoreMetrics.commitDuration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                if outcomes.contains(where: { $0 is PostgresUnavailable }) { StoreMetrics.commitFailures.increment() }
                completions.async {
                    for (i, job) in jobs.enumerated() { job.finish(outcomes[i]) }
                }
            }
        }
    }

    /// Runs the batch as one plain transaction; only when a job fails is it rolled back and run
    /// again with a savepoint per job, so the others still commit. Savepoints cost two statements
    /// per job, and jobs rarely fail, so the common batch goes without them.
    private func runBatch(_ jobs: [Job]) -> [(any Error)?] {
        guard jobs.count > 1 else { return runRetrying(jobs) }
        do {
            try pool.write { tx in
                for job in jobs { try job.run(tx) }
            }
            return [(any Error)?](repeating: nil, count: jobs.count)
        } catch let error as PostgresUnavailable {
            return [(any Error)?](repeating: error, count: jobs.count)
        } catch {
            return runRetrying(jobs)
        }
    }

    /// `runIsolated`, then again for the jobs that lost a deadlock to another batch (of this node
    /// or another): two batches that lock the same rows in opposite orders are broken up by
    /// PostgreSQL, and the loser's jobs succeed when run once more. At most three rounds.
    private func runRetrying(_ jobs: [Job]) -> [(any Error)?] {
        var errors = runIsolated(jobs)
        for _ in 1..<Self.rounds {
            let again = errors.indices.filter { (errors[$0] as? PostgresStatementError)?.isRetryable == true }
            guard !again.isEmpty else { break }
            let retried = runIsolated(again.map { jobs[$0] })
            for (k, i) in again.enumerated() { errors[i] = retried[k] }
        }
        return errors
    }

    private static let rounds = 3

    /// The batch with each job in a savepoint of its own: a failing job is rolled back alone.
    private func runIsolated(_ jobs: [Job]) -> [(any Error)?] {
        var errors = [(any Error)?](repeating: nil, count: jobs.count)
        do {
            try pool.write { tx in
                let connection = tx.connection
                let alone = jobs.count == 1
                for (i, job) in jobs.enumerated() {
                    // One job alone needs no savepoint: its failure rolls the transaction back.
                    if alone {
                        try job.run(tx)
                        continue
                    }
                    try connection.send("SAVEPOINT job")
                    let mark = tx.auditMark
                    do {
                        try job.run(tx)
                        try connection.send("RELEASE SAVEPOINT job")
                    } catch let error as PostgresUnavailable {
                        throw error
                    } catch {
                        errors[i] = error
                        tx.dropAudit(after: mark)
                        try connection.send("ROLLBACK TO SAVEPOINT job")
                        try connection.send("RELEASE SAVEPOINT job")
                    }
                }
                if errors.allSatisfy({ $0 != nil }) { throw BatchFailed() }
            }
        } catch is BatchFailed {
            // Every job failed on its own; nothing to commit.
        } catch {
            // The batch as a whole failed (a lone job's error, or the commit): nothing in it is durable.
            for i in errors.indices where errors[i] == nil { errors[i] = error }
        }
        return errors
    }

    private struct BatchFailed: Error {}
}
