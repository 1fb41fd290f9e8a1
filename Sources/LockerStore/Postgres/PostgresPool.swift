import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// Connections to one PostgreSQL database, for the ports' synchronous calls: a caller borrows a
/// connection, runs its statements and blocks on each answer (as a GRDB read blocks on SQLite),
/// then gives it back. The answers arrive on NIO's event loops, never on the caller's thread,
/// so a blocked caller cannot starve them. A connection that fails is dropped, not reused.
public final class PostgresPool: Sendable {
    public let url: PostgresURL
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    /// Connections kept open while idle; more may be open while busy.
    private let maxIdle: Int
    static let logger = Logger(label: "locker.postgres")
    /// PostgreSQL's sockets get event loops of their own: lockerd runs request tasks on NIO's
    /// shared loops, and a caller blocked on an answer must never be the loop that delivers it.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    public init(url: PostgresURL, maxIdle: Int = 16) {
        self.url = url
        self.maxIdle = maxIdle
    }

    /// Opens one connection now, so a node that cannot reach PostgreSQL says so at start.
    public func check() throws {
        try withConnection { connection in _ = try connection.query("SELECT 1") }
    }

    /// A new connection, not from the pool (for LISTEN, which holds its connection).
    public func connect() throws -> PostgresConnection {
        var config = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                                      database: url.database, tls: .disable)
        config.options.connectTimeout = .seconds(5)
        do {
            return try PostgresConnection.connect(on: Self.eventLoops.next(), configuration: config,
                                                  id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, logger: Self.logger).blockingWait()
        } catch {
            throw PostgresUnavailable("cannot reach PostgreSQL at \(url): \(Self.describe(error))")
        }
    }

    /// Runs `body` on a borrowed connection.
    public func withConnection<T>(_ body: (PGConnection) throws -> T) throws -> T {
        let connection = try takeIdle() ?? connect()
        let wrapped = PGConnection(connection: connection)
        do {
            let result = try body(wrapped)
            giveBack(connection)
            return result
        } catch {
            if error is PostgresUnavailable {
                // The server went away: every idle connection is as dead as this one.
                closeQuietly(connection)
                for stale in idle.withLock({ list in defer { list.removeAll() }; return list }) { closeQuietly(stale) }
            } else if connection.isClosed {
                closeQuietly(connection)
            } else {
                giveBack(connection)
            }
            throw error
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED), committed when it returns, rolled back
    /// when it throws. A commit that returns is durable (`synchronous_commit` is on).
    public func transaction<T>(_ body: (PGConnection) throws -> T) throws -> T {
        try withConnection { connection in
            try connection.send("BEGIN")  // checked with the first statement's answer
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// An idle connection that is still open; closed ones (the server went away or ended them)
    /// are dropped on the way.
    private func takeIdle() -> PostgresConnection? {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
            closeQuietly(connection)
        }
        return nil
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let keep = idle.withLock { list -> Bool in
            guard list.count < maxIdle else { return false }
            list.append(connection)
            return true
        }
        if !keep { closeQuietly(connection) }
    }

    /// Closes the idle connections and waits until they are closed.
    public func shutdown() {
        for connection in idle.withLock({ list in defer { list.removeAll() }; return list }) {
            let closing: EventLoopFuture<Void> = connection.close()
            try? closing.blockingWait()
        }
    }

    deinit { shutdown() }

    /// One line for an operator: PostgreSQL's own message when there is one.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown: return "connection failed or closed"
            default: return "\(error.code)"
            }
        }
        if let error = error as? PostgresUnavailable { return error.description }
        return "\(error)"
    }
}

/// Closes a connection without waiting for it (a failed one, or one past the idle limit).
func closeQuietly(_ connection: PostgresConnection) {
    let closing: EventLoopFuture<Void> = connection.close()
    closing.whenComplete { _ in withExtendedLifetime(connection) {} }  // alive until closed
}

extension EventLoopFuture {
    /// Blocks the calling thread until the future completes. Unlike `wait()`, allowed on one of
    /// lockerd's request loops: the ports block there as GRDB's reads do, and the future
    /// completes on PostgreSQL's own loops (`PostgresPool.eventLoops`), never on the caller's.
    /// With `timeout`, throws `AnswerTimedOut` when the future has not completed by then.
    func blockingWait(timeout: TimeInterval? = nil) throws -> Value {
        precondition(!eventLoop.inEventLoop, "blocking on a future from its own event loop would never return")
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        whenComplete { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        if let timeout {
            guard done.wait(timeout: .now() + timeout) == .success else { throw AnswerTimedOut() }
        } else {
            done.wait()
        }
        return try outcome.withLockedValue { $0! }.get()
    }
}
