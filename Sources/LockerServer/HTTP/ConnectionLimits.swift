import Logging
import Synchronization

/// How many connections `lockerd` keeps open and how long a client may take. A connection over
/// either cap is answered 503 and closed at once; one that idles, or sends its request head or
/// body too slowly, is closed. Held-open sockets therefore cannot use up the process's files.
public struct ConnectionLimits: Sendable, Equatable {
    /// Open connections in all.
    public var maxConnections: Int
    /// Open connections from one client IP address.
    public var maxPerClient: Int
    /// How long a connection may wait, between requests, with nothing sent.
    public var idleTimeout: Duration
    /// How long a request head may take, from its first byte to its last.
    public var headerTimeout: Duration
    /// How long a request body may take, from the end of the head to the end of the body.
    public var bodyTimeout: Duration

    /// How long an answer may go without the client taking any of it (a client that stops
    /// reading, or pipelines requests and never reads, would otherwise hold its slot forever).
    public var sendTimeout: Duration

    /// The smallest of the timeouts: how often a connection's one timer looks.
    var shortestTimeout: Duration { min(idleTimeout, headerTimeout, bodyTimeout, sendTimeout) }

    public init(maxConnections: Int = 4096, maxPerClient: Int = 256, idleTimeout: Duration = .seconds(60),
                headerTimeout: Duration = .seconds(15), bodyTimeout: Duration = .seconds(120), sendTimeout: Duration = .seconds(60)) {
        self.maxConnections = maxConnections
        self.maxPerClient = maxPerClient
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.sendTimeout = sendTimeout
    }

    /// The built-in defaults.
    public static let defaults = ConnectionLimits()

    /// File descriptors kept back from connections for the database, blobs, keys and logs.
    public static let reservedFiles = 128

    /// These limits with `maxConnections` lowered, if need be, so that connections plus the
    /// reserve fit in `openFileLimit`.
    public func fitted(toOpenFileLimit openFileLimit: Int) -> ConnectionLimits {
        var limits = self
        limits.maxConnections = max(1, min(maxConnections, openFileLimit - Self.reservedFiles))
        // Lowered to fit the file limit: one address never takes more than an eighth of it.
        let lowered = limits.maxConnections < maxConnections
        limits.maxPerClient = min(maxPerClient, lowered ? max(1, limits.maxConnections / 8) : limits.maxConnections)
        return limits
    }
}

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
