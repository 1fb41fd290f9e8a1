import Foundation
import NIOCore
import PostgresNIO

/// One borrowed connection; valid only inside the `withConnection` or `transaction` call that
/// handed it out.
public struct PGConnection {
    let connection: PostgresConnection

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

    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        do {
            return try connection.query(query, logger: PostgresPool.logger).blockingWait()
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
