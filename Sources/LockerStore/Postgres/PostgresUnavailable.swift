/// PostgreSQL did not answer (not started, gone away, or refusing connections). The HTTP layer
/// turns it into 503 with `Retry-After`; nothing was acknowledged for the request that met it.
public struct PostgresUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
