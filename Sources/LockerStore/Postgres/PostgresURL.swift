import Foundation

/// Where a PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, as
/// `--database` takes it. The password, when given, is never printed back.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Parses `text`; nil for anything that is not a `postgres://` or `postgresql://` URL with
    /// a user, a host and a database name.
    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql",
              let user = components.user, !user.isEmpty, let host = components.host, !host.isEmpty else { return nil }
        let name = String(components.path.drop(while: { $0 == "/" }))
        guard !name.isEmpty, !name.contains("/") else { return nil }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { return nil }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.host = host
        self.port = port
        self.database = name
    }

    /// Whether `text` names PostgreSQL at all (as opposed to a mistyped URL).
    public static func looksLikePostgres(_ text: String) -> Bool {
        text.lowercased().hasPrefix("postgres://") || text.lowercased().hasPrefix("postgresql://")
    }

    /// The URL with the password replaced, for logs and errors.
    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}
