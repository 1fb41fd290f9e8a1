import Logging
import Synchronization

/// Counts open connections, in all and per client address, shared by every connection's
/// `ConnectionGuard`.
final class ConnectionCounter: Sendable {
    let limits: ConnectionLimits
    private let logger: Logger?
    private let state = Mutex<State>(State())

    struct State {
        var total = 0
        var byAddress = [String: Int]()
        /// Refusals not yet logged, and when the last warning went out (at most one per 10 s).
        var refusedSinceLog = 0
        var lastLog: ContinuousClock.Instant?
    }

    init(limits: ConnectionLimits, logger: Logger? = nil) {
        self.limits = limits
        self.logger = logger
    }

    /// Counts one more connection from `address`, or refuses it (counting nothing) if either cap
    /// is reached. Refusals are logged as one warning per 10 seconds at most, with their count.
    func open(_ address: String) -> Bool {
        let (accepted, report) = state.withLock { s -> (Bool, (refused: Int, open: Int)?) in
            let fromAddress = s.byAddress[address, default: 0]
            if s.total < limits.maxConnections, fromAddress < limits.maxPerClient {
                s.total += 1
                s.byAddress[address] = fromAddress + 1
                return (true, nil)
            }
            s.refusedSinceLog += 1
            let now = ContinuousClock.now
            guard s.lastLog.map({ now - $0 >= .seconds(10) }) ?? true else { return (false, nil) }
            defer { s.refusedSinceLog = 0; s.lastLog = now }
            return (false, (s.refusedSinceLog, s.total))
        }
        if let report {
            logger?.warning("connections refused: over maxConnections or maxConnectionsPerClient", metadata: [
                "refused": "\(report.refused)", "open": "\(report.open)",
                "maxConnections": "\(limits.maxConnections)", "maxConnectionsPerClient": "\(limits.maxPerClient)",
            ])
        }
        return accepted
    }

    /// Forgets a connection that `open` counted.
    func close(_ address: String) {
        state.withLock { s in
            s.total -= 1
            let left = s.byAddress[address, default: 1] - 1
            s.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Open connections now (for tests and logs).
    var total: Int { state.withLock { $0.total } }
}
