import Foundation

/// Tunables with safe defaults; `LockerConfig` fills them from configuration.
public struct Settings: Sendable {
    public var maxDocumentBytes = 10 << 20
    public var maxJSONBytes = 64 << 10
    public var otpLifetime: TimeInterval = 300
    public var otpMaxAttempts = 3
    public var challengesPerMobilePerHour = 5
    public var challengesPerClientPerHour = 20
    public var sessionLifetime: TimeInterval = 3600
    /// How long a checked session is trusted without a database read. Logout on this node
    /// evicts at once; on another node (a future multi-node setup) it takes at most this long.
    public var sessionCacheSeconds: TimeInterval = 5
    /// Locker's own URL, the `iss` of signed answers.
    public var publicURL = "http://127.0.0.1:8080"
    /// lockerd itself serves HTTPS (`--tls-cert`, `--tls-key`).
    public var servesTLS = false
    /// Cookies carry `Secure` when browsers reach Locker over HTTPS: lockerd's own TLS, or a
    /// proxy in front that terminates it (an https public URL). On plain http a `Secure` cookie
    /// would never come back.
    public var secureCookies: Bool { servesTLS || publicURL.lowercased().hasPrefix("https://") }
    /// The zone pages show times in (the JSON API always uses UTC).
    public var timeZone = TimeZone(identifier: "Asia/Kolkata")!

    /// How often lockerd signs an audit checkpoint when the chain has grown (`GET
    /// /v1/admin/audit/checkpoint` publishes the latest).
    public var auditCheckpointInterval: TimeInterval = 300

    /// Seconds a pull issuer has for its whole answer (`--pull-timeout`).
    public var pullTimeout = 10

    public init() {}
}
