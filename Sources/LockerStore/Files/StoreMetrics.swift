import Metrics
import Synchronization

/// What the storage engines report to swift-metrics (no-ops unless lockerd runs with
/// `--metrics-port`).
public enum StoreMetrics {
    /// Requests per group commit.
    static let batchSize = Recorder(label: "locker_commit_batch_size", aggregate: true)
    /// One group commit, from the first statement to the durable commit (fsync included).
    static let commitDuration = Metrics.Timer(label: "locker_commit_duration")
    /// Group commits that failed as a whole.
    static let commitFailures = Counter(label: "locker_commit_failures_total")
    /// The SQLite write-ahead log's size, after each background checkpoint.
    static let walBytes = Gauge(label: "locker_wal_bytes")

    /// Audit entries written, by action (`document.downloaded`, `share.redeemed`, …): every
    /// push, download, redemption and KYC-VS answer is audited, so this counts each once.
    static func audited(_ action: String) {
        let counter = auditCounters.withLock { counters in
            if let counter = counters[action] { return counter }
            let counter = Counter(label: "locker_audit_events_total", dimensions: [("action", action)])
            counters[action] = counter
            return counter
        }
        counter.increment()
    }

    private static let auditCounters = Mutex<[String: Counter]>([:])
}
