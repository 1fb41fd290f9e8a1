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
