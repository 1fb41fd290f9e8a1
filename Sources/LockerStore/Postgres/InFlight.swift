import NIOCore
import PostgresNIO

/// The statements a `PGConnection` has sent and not yet waited for.
final class InFlight {
    var futures: [EventLoopFuture<PostgresQueryResult>] = []
}
