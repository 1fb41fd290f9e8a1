import Foundation
import NIOCore
import PostgresNIO

/// One borrowed connection; valid only inside the `withConnection` or `transaction` call that
/// handed it out.
public struct PGConnection {
    let connection: PostgresConnection
    /// How long a statement's answer may take before the connection is given up as lost: a
    /// request must get its 503 instead of hanging on a server that went away. `nil` waits
    /// without limit (a lock that is meant to be waited for).
    var answerWithin: TimeInterval? = PGConnection.answerDeadline
    static let answerDeadline: TimeInterval = 20
    /// Statements sent but not yet waited for (`send`); each is checked, in order, before the
    /// next statement's answer is returned, so none of their errors is lost.
    let inFlight = InFlight()

    /// Runs `query` and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PGRow] {
        try run(query).rows.map { PGRow(row: $0.makeRandomAccess()) }
    }

    /// Runs `query` and returns how many rows it changed.
    @discardableResult
    public func execute(_ query: PostgresQuery) throws -> Int {
        try run(query).metadata.rows ?? 0
    }

    /// Sends `query` without waiting for its answer (a statement whose result nothing needs, such
    /// as `BEGIN`): PostgreSQL gets it in order, and the caller's thread is not woken for it.
    /// Its outcome is checked by the next `query` or `execute`.
    public func send(_ query: PostgresQuery) throws {
        guard !connection.isClosed else { throw PostgresUnavailable("lost PostgreSQL: connection closed") }
        inFlight.futures.append(connection.query(query, logger: PostgresPool.logger))
    }

    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            // A statement written to a connection that has already closed is never answered.
            guard !connection.isClosed else { throw PostgresUnavailable("lost PostgreSQL: connection closed") }
            let answer = connection.query(query, logger: PostgresPool.logger)
            let earlier = inFlight.futures
            inFlight.futures.removeAll()
            for future in earlier { _ = try future.blockingWait(timeout: answerWithin) }
            return try answer.blockingWait(timeout: answerWithin)
        } catch is AnswerTimedOut {
            closeQuietly(connection)
            throw PostgresUnavailable("PostgreSQL did not answer within \(Int(answerWithin ?? 0)) s")
        } catch let error as PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                throw PostgresUnavailable("lost PostgreSQL: \(PostgresPool.describe(error))")
            default:
                throw PostgresStatementError(sqlState: error.serverInfo?[.sqlState], message: PostgresPool.describe(error))
            }
        } catch let error as ChannelError {
            throw PostgresUnavailable("lost PostgreSQL: \(error)")
        }
    }
}
