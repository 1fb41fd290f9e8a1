/// A statement PostgreSQL refused, with its SQLSTATE (`23505` unique violation, `40001`
/// serialization failure, ...).
public struct PostgresStatementError: Error, Sendable, CustomStringConvertible {
    public let sqlState: String?
    public let message: String
    public var description: String { "PostgreSQL: \(message)" + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// A deadlock PostgreSQL broke (`40P01`) or a serialization failure (`40001`): the same work
    /// run again normally succeeds.
    public var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }
}
