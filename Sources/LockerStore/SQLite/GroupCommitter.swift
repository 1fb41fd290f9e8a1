import Dispatch
import Foundation
import GRDB
import Synchronization

/// Durable writes for many concurrent requests with one fsync: requests hand their work to a
/// single writer thread, which runs everything waiting in one transaction (each job in its own
/// savepoint, so one failing job does not undo the others) and then resumes them all.
///
/// This is how a 2xx can mean "on disk" at thousands of writes per second: SQLite's commit
/// fsync (≈ 0.4 ms here) is paid once per batch, not once per request.
public final class GroupCommitter: Sendable {
    private typealias Job = CommitJob<Database>

    private let pool: DatabasePool
    private let pending = Mutex<[Job]>([])
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Resumes the waiting requests of a committed batch, so the writer can start the next
    /// batch at once instead of waking every request's thread itself (measured: 5-15 µs per
    /// job on the writer, which is the one thread every durable request goes through).
    private let completions = DispatchQueue(label: "locker-group-commit-completions")
    /// Upper bound on jobs per transaction, so one batch never holds the writer for long.
    public let maxBatch: Int

    public init(database: LockerDatabase, maxBatch: Int = 512) {
        self.pool = database.pool
        self.maxBatch = maxBatch
        let thread = Thread { [self] in self.loop() }
        thread.name = "locker-group-commit"
        thread.start()
    }

    /// Runs `work` inside a write transaction and returns once that transaction is durable.
    /// If `work` throws, its savepoint is rolled back and the error is rethrown here.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            enqueue(.resuming(continuation, with: work))
        }
    }

    /// Runs `work` on the writer's connection between two batches, outside any transaction, so
    /// nothing else writes meanwhile (for `LockerDatabase.restartWAL`).
    public func betweenBatches<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                run: { db in continuation.resume(with: Result { try work(db) }) },
                finish: { error in if let error { continuation.resume(throwing: error) } },
                alone: true)
            enqueue(job)
        }
    }

    private func enqueue(_ job: Job) {
        pending.withLock { $0.append(job) }
        wakeUp.signal()
    }

    private func loop() {
        while true {
            wakeUp.wait()
            while true {
                let jobs: [Job] = pending.withLock { queue in
                    if let first = queue.first, first.alone {
                        queue.removeFirst()
                        return [first]
                    }
                    // Transactional jobs up to the next one that must run alone.
                    let n = min(queue.prefix(maxBatch).firstIndex(where: \.alone) ?? min(queue.count, maxBatch), maxBatch)
                    let jobs = Array(queue.prefix(n))
                    queue.removeFirst(n)
                    return jobs
                }
                if jobs.isEmpty { break }
                if jobs[0].alone {
                    do {
                        try pool.writeWithoutTransaction { db in try jobs[0].run(db) }
                    } catch {
                        jobs[0].finish(error)
                    }
                    continue
                }
                var errors = [(any Error)?](repeating: nil, count: jobs.count)
                let started = DispatchTime.now().uptimeNanoseconds
                StoreMetrics.batchSize.record(jobs.count)
                do {
                    try pool.write { db in
                        // Savepoints through cached statements: GRDB's `inSavepoint` parses
                        // its SQL again for every job.
                        let begin = try db.cachedStatement(sql: "SAVEPOINT job")
                        let release = try db.cachedStatement(sql: "RELEASE SAVEPOINT job")
                        let rollback = try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT job")
                        for (i, job) in jobs.enumerated() {
                            try begin.execute()
                            do {
                                try job.run(db)
                                try release.execute()
                            } catch {
                                errors[i] = error
                                try rollback.execute()
                                try release.execute()
                            }
                        }
                    }
                } catch {
                    // The commit itself failed: nothing in the batch is durable.
                    for i in errors.indices where errors[i] == nil { errors[i] = error }
                    StoreMetrics.commitFailures.increment()
                }
                StoreMetrics.commitDuration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                let outcomes = errors
                completions.async {
                    for (i, job) in jobs.enumerated() { job.finish(outcomes[i]) }
                }
            }
        }
    }
}
