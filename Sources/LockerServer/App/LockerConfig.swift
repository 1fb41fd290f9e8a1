import Configuration
import Foundation
import LockerStore
import Logging

/// `lockerd`'s settings, resolved once at start-up from (highest first) command-line flags,
/// `LOCKER_*` environment variables, the JSON config file, and built-in defaults.
///
/// Keys read (flag / environment / JSON):
/// - `--host` / `LOCKER_HOST` / `host`: bind address (default `127.0.0.1`)
/// - `--port` / `LOCKER_PORT` / `port`: TCP port, 1–65535 (default `8080`)
/// - `--storage` / `LOCKER_STORAGE` / `storage`: storage folder (default `Storage`); with
///   PostgreSQL only this node's own files (SMS outbox, first admin credential, locks)
/// - `--database` / `LOCKER_DATABASE` / `database`: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` to run
///   on a shared PostgreSQL (several nodes); default: the embedded SQLite under the storage folder
/// - `--root-key-file` / `LOCKER_ROOT_KEY_FILE` / `rootKeyFile`: 32-byte key (mode 0600) sealing the
///   key ring in PostgreSQL; with `--database`, the same file on every node
/// - `--root-key` / `LOCKER_ROOT_KEY` / `rootKey`: instead, `pkcs11:token=…;object=…?module-path=…`
///   (an AES-256 key in an HSM; PIN from `pin-source=file:` or `LOCKER_HSM_PIN`) or a file
/// - `--max-body-bytes` / `LOCKER_MAX_BODY_BYTES` / `maxBodyBytes`: largest request body (default 64 KiB; pushes get maxDocumentBytes)
/// - `--log-level` / `LOCKER_LOG_LEVEL` / `logLevel`: swift-log level (default `info`)
/// - `--max-document-bytes` / `LOCKER_MAX_DOCUMENT_BYTES` / `maxDocumentBytes`: largest pushed document (default 10 MiB)
/// - `--session-ttl` / `LOCKER_SESSION_TTL` / `sessionTTL`: session lifetime in seconds (default 3600)
/// - `--otp-per-mobile-per-hour`, `--otp-per-client-per-hour`: OTP request limits (defaults 5, 20)
/// - `--public-url` / `LOCKER_PUBLIC_URL` / `publicURL`: Locker's URL, the `iss` of signed answers (default http://HOST:PORT, https with TLS)
/// - `--tls-cert`, `--tls-key` / `LOCKER_TLS_CERT`, `LOCKER_TLS_KEY` / `tlsCert`, `tlsKey`: PEM certificate chain and
///   private key; with both, lockerd serves HTTPS only (HTTP/1.1 and HTTP/2 by ALPN) and re-reads them on SIGHUP
/// - `--sms-gateway-url` / `LOCKER_SMS_GATEWAY_URL` / `smsGatewayURL`: HTTP gateway for SMS (default: the outbox file)
/// - `--max-connections`, `--max-connections-per-client`: open connections in all and from one
///   client address (defaults 4096, 256; the first is lowered to fit the process's file limit)
/// - `--idle-timeout`, `--header-timeout`, `--body-timeout`: seconds a connection may sit idle,
///   take to send a request head, and take to send a request body (defaults 60, 15, 120)
/// - `--send-timeout`: seconds an answer may go with none of it taken by the client (default 60)
/// - `--time-zone` / `LOCKER_TIME_ZONE` / `timeZone`: IANA zone the portal shows times in (default `Asia/Kolkata`)
/// - `--blob-store` / `LOCKER_BLOB_STORE` / `blobStore`: `s3://BUCKET?endpoint=URL&region=R` puts sealed blobs in
///   an S3-compatible store (`--blob-credentials-file`, or `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`)
/// - `--config` / `LOCKER_CONFIG`: the JSON file itself (default `Config/lockerd.json`)
///
/// A flag given twice is an error, never a silent fall-back to the default.
///
/// Relative paths from flags or the environment are taken from the working directory; relative
/// paths inside the config file are taken from the config file's folder.
public struct LockerConfig: Sendable {
    public var host: String
    public var port: Int
    public var storagePath: String
    public var maxBodyBytes: Int
    public var logLevel: Logger.Level
    /// `text` (default) or `json` (one object per line, `JSONLogHandler`).
    public var logFormat = "text"
    /// `--metrics-port`: Prometheus metrics on 127.0.0.1 at this port; nil (the default) serves none.
    public var metricsPort: Int?
    /// Where SMS go; nil means the embedded outbox file.
    public var smsGatewayURL: URL?
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`); none by default.
    public var trustedProxies: [AddressRange] = []
    /// The shared PostgreSQL database; nil means the embedded SQLite under `storagePath`.
    public var database: PostgresURL?
    /// The root key's file, with `database` (also set by `--root-key FILE`).
    public var rootKeyFile: String?
    /// The root key, with `database`: a file or a key in an HSM (`--root-key pkcs11:…`).
    public var rootKey: RootKeySource?
    /// Limits and lifetimes for documents, OTPs and sessions.
    public var settings = Settings()
    /// Caps on open connections and how long a client may take.
    public var connections = ConnectionLimits()
    /// The certificate and key to serve HTTPS with; nil serves plain HTTP.
    public var tls: TLSFiles?
    /// The object store for sealed blobs (`--blob-store`); nil keeps them under `storagePath`.
    public var blobStore: BlobStoreConfig?

    /// Flags `lockerd` accepts; anything else is refused rather than silently ignored.
    public static let knownFlags: Set<String> = ["host", "port", "storage", "database", "root-key-file", "root-key", "max-body-bytes", "log-level", "config", "help",
                                                    "max-document-bytes", "session-ttl", "otp-per-mobile-per-hour", "otp-per-client-per-hour", "sms-gateway-url", "public-url",
                                                    "max-connections", "max-connections-per-client", "idle-timeout", "header-timeout", "body-timeout", "send-timeout", "time-zone",
                                                    "audit-checkpoint-interval", "trusted-proxy", "log-format", "metrics-port", "tls-cert", "tls-key", "pull-timeout",
                                                    "blob-store", "blob-credentials-file"]

    public init(host: String = "127.0.0.1", port: Int = 8080, storagePath: String, maxBodyBytes: Int = 64 << 10, logLevel: Logger.Level = .info) {
        self.host = host
        self.port = port
        self.storagePath = storagePath
        self.maxBodyBytes = maxBodyBytes
        self.logLevel = logLevel
    }

    /// Reads and validates the configuration; throws `LockerConfigError` with one line naming the
    /// offending key or file.
    public static func load(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> LockerConfig {
        try checkFlags(arguments)
        let cwd = FileManager.default.currentDirectoryPath
        let cli = CommandLineArgumentsProvider(arguments: arguments)
        let env = EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["locker"])
        let early = ConfigReader(providers: [cli, env])
        let explicitConfig = try read(early, "config") { $0.string(forKey: "config") }
        let configPath = absolute(explicitConfig ?? "Config/lockerd.json", base: cwd)
        guard explicitConfig == nil || FileManager.default.fileExists(atPath: configPath) else {
            throw LockerConfigError("config file \(configPath) does not exist")
        }
        let file: FileProvider<JSONSnapshot>
        do {
            file = try await FileProvider<JSONSnapshot>(filePath: .init(configPath), allowMissing: true)
        } catch {
            throw LockerConfigError("config file \(configPath) is not valid JSON")
        }
        let configDirectory = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        let flagsAndEnv = ConfigReader(providers: [cli, env])
        let all = ConfigReader(providers: [cli, env, file])

        let host = try read(all, "host") { $0.string(forKey: "host") } ?? "127.0.0.1"
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { throw LockerConfigError("invalid value for host: \(host.debugDescription)") }
        let port = try read(all, "port") { $0.int(forKey: "port") } ?? 8080
        guard (1...65535).contains(port) else { throw LockerConfigError("invalid value for port: \(port) (expected 1-65535)") }
        let maxBody = try read(all, "maxBodyBytes") { $0.int(forKey: "maxBodyBytes") } ?? (64 << 10)
        guard maxBody >= 1024, maxBody <= (1 << 30) else { throw LockerConfigError("invalid value for maxBodyBytes: \(maxBody) (expected 1024-1073741824)") }
        let levelName = try read(all, "logLevel") { $0.string(forKey: "logLevel") } ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else { throw LockerConfigError("invalid value for logLevel: \(levelName.debugDescription) (expected trace, debug, info, notice, warning, error or critical)") }

        let storage: String
        if let fromFlagOrEnv = try read(flagsAndEnv, "storage", { $0.string(forKey: "storage") }) {
            storage = absolute(fromFlagOrEnv, base: cwd)
        } else if let fromFile = try read(all, "storage", { $0.string(forKey: "storage") }) {
            storage = absolute(fromFile, base: configDirectory)
        } else {
            storage = absolute("Storage", base: cwd)
        }
        guard !storage.isEmpty else { throw LockerConfigError("invalid value for storage: empty path") }
        var config = LockerConfig(host: host, port: port, storagePath: storage, maxBodyBytes: maxBody, logLevel: level)
        config.logFormat = try read(all, "logFormat") { $0.string(forKey: "logFormat") } ?? "text"
        if let metricsPort = try read(all, "metricsPort", { $0.int(forKey: "metricsPort") }) {
            guard (1...65535).contains(metricsPort), metricsPort != port else {
                throw LockerConfigError("invalid value for metricsPort: \(metricsPort) (expected 1-65535, not the API port)")
            }
            config.metricsPort = metricsPort
        }
        guard ["text", "json"].contains(config.logFormat) else { throw LockerConfigError("invalid value for logFormat: \(config.logFormat.debugDescription) (expected text or json)") }
        func int(_ key: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
            let v = try read(all, key) { $0.int(forKey: ConfigKey(key)) } ?? value
            guard range.contains(v) else { throw LockerConfigError("invalid value for \(key): \(v) (expected \(range.lowerBound)-\(range.upperBound))") }
            return v
        }
        config.settings.maxDocumentBytes = try int("maxDocumentBytes", 1024...(1 << 30), default: 10 << 20)
        config.settings.sessionLifetime = TimeInterval(try int("sessionTTL", 60...(30 * 86400), default: 3600))
        config.settings.challengesPerMobilePerHour = try int("otpPerMobilePerHour", 1...1000, default: 5)
        config.settings.challengesPerClientPerHour = try int("otpPerClientPerHour", 1...1_000_000, default: 20)
        config.settings.auditCheckpointInterval = TimeInterval(try int("auditCheckpointInterval", 1...86400, default: 300))
        config.settings.pullTimeout = try int("pullTimeout", 1...120, default: 10)
        config.tls = try tlsFiles(flagsAndEnv: flagsAndEnv, all: all, cwd: cwd, configDirectory: configDirectory)
        config.settings.servesTLS = config.tls != nil
        config.blobStore = try blobStore(flagsAndEnv: flagsAndEnv, all: all, cwd: cwd, configDirectory: configDirectory)
        let scheme = config.tls == nil ? "http" : "https"
        config.settings.publicURL = try publicURL(try read(all, "publicURL") { $0.string(forKey: "publicURL") } ?? "\(scheme)://\(host):\(port)")
        config.connections = ConnectionLimits(
            maxConnections: try int("maxConnections", 1...1_000_000, default: ConnectionLimits.defaults.maxConnections),
            maxPerClient: try int("maxConnectionsPerClient", 1...1_000_000, default: ConnectionLimits.defaults.maxPerClient),
            idleTimeout: .seconds(try int("idleTimeout", 1...86400, default: 60)),
            headerTimeout: .seconds(try int("headerTimeout", 1...3600, default: 15)),
            bodyTimeout: .seconds(try int("bodyTimeout", 1...86400, default: 120)),
            sendTimeout: .seconds(try int("sendTimeout", 1...86400, default: 60)))
        let zoneName = try read(all, "timeZone") { $0.string(forKey: "timeZone") } ?? "Asia/Kolkata"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw LockerConfigError("invalid value for timeZone: \(zoneName.debugDescription) (expected an IANA time zone such as Asia/Kolkata or UTC)")
        }
        config.settings.timeZone = zone
        // Flags and the environment give "a,b" (which the reader may already split); JSON a string or an array.
        if let list = all.stringArray(forKey: "trustedProxy") ?? all.string(forKey: "trustedProxy").map({ [$0] }) {
            config.trustedProxies = try list.flatMap { $0.split(separator: ",") }.map { part in
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let range = AddressRange(text) else {
                    throw LockerConfigError("invalid value for trustedProxy: \(text.debugDescription) (expected IP addresses or CIDR ranges, comma-separated, e.g. 127.0.0.1,10.0.0.0/8)")
                }
                return range
            }
        }
        if let raw = try read(all, "smsGatewayURL", { $0.string(forKey: "smsGatewayURL") }) {
            guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw LockerConfigError("invalid value for smsGatewayURL: \(raw.debugDescription) (expected an http(s) URL)")
            }
            config.smsGatewayURL = url
        }
        if let (database, rootKey) = try databaseAndRootKey(flagsAndEnv: flagsAndEnv, all: all, cwd: cwd, configDirectory: configDirectory) {
            config.database = database
            config.rootKey = rootKey
            if case .file(let path) = rootKey { config.rootKeyFile = path }
        }
        return config
    }

    /// The public URL without a trailing slash (share links append `/s/…`, so a trailing slash
    /// would make `…//s/…`); one with a query, a fragment or user info is refused.
    static func publicURL(_ raw: String) throws -> String {
        var text = raw
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()), url.host != nil,
              url.query == nil, url.fragment == nil, url.user == nil, !text.contains("?"), !text.contains("#") else {
            throw LockerConfigError("invalid value for publicURL: \(raw.debugDescription) (expected an absolute http(s) URL without query or fragment)")
        }
        return text
    }

    static func checkFlags(_ arguments: [String]) throws {
        var seen = Set<String>()
        for argument in arguments.dropFirst() where argument.hasPrefix("--") {
            let name = String(argument.dropFirst(2).split(separator: "=", maxSplits: 1).first ?? "")
            guard knownFlags.contains(name) else { throw LockerConfigError("unknown option --\(name) (known: \(knownFlags.sorted().map { "--" + $0 }.joined(separator: ", ")))") }
            // The argument reader turns a repeated flag into a list and then reads no value at
            // all, which would quietly fall back to the default (a fresh vault in ./Storage).
            guard seen.insert(name).inserted else { throw LockerConfigError("option --\(name) is given more than once") }
        }
    }

    /// Reads one optional key: nil when no source sets it, a one-line error naming the key when a
    /// source sets it to something of the wrong type (the reader alone would fall back silently).
    static func read<T>(_ reader: ConfigReader, _ key: String, _ body: (ConfigReader) -> T?) throws -> T? {
        if let value = body(reader) { return value }
        let present = reader.string(forKey: ConfigKey(key)) != nil || reader.int(forKey: ConfigKey(key)) != nil
            || reader.double(forKey: ConfigKey(key)) != nil || reader.bool(forKey: ConfigKey(key)) != nil
        if present { throw LockerConfigError("invalid value for \(key): \(reader.string(forKey: ConfigKey(key)).map { $0.debugDescription } ?? "wrong type") (expected \(T.self == Int.self ? "an integer" : "a string"))") }
        return nil
    }

    static func absolute(_ path: String, base: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
