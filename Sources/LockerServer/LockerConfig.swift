import Configuration
import Foundation
import Logging

/// `lockerd`'s settings, resolved once at start-up from (highest first) command-line flags,
/// `LOCKER_*` environment variables, the JSON config file, and built-in defaults.
///
/// Keys read (flag / environment / JSON):
/// - `--host` / `LOCKER_HOST` / `host`: bind address (default `127.0.0.1`)
/// - `--port` / `LOCKER_PORT` / `port`: TCP port, 1–65535 (default `8080`)
/// - `--storage` / `LOCKER_STORAGE` / `storage`: storage folder (default `Storage`)
/// - `--max-body-bytes` / `LOCKER_MAX_BODY_BYTES` / `maxBodyBytes`: largest request body (default 64 KiB; pushes get maxDocumentBytes)
/// - `--log-level` / `LOCKER_LOG_LEVEL` / `logLevel`: swift-log level (default `info`)
/// - `--max-document-bytes` / `LOCKER_MAX_DOCUMENT_BYTES` / `maxDocumentBytes`: largest pushed document (default 10 MiB)
/// - `--session-ttl` / `LOCKER_SESSION_TTL` / `sessionTTL`: session lifetime in seconds (default 3600)
/// - `--otp-per-mobile-per-hour`, `--otp-per-client-per-hour`: OTP request limits (defaults 5, 20)
/// - `--public-url` / `LOCKER_PUBLIC_URL` / `publicURL`: Locker's URL, the `iss` of signed answers (default http://HOST:PORT)
/// - `--sms-gateway-url` / `LOCKER_SMS_GATEWAY_URL` / `smsGatewayURL`: HTTP gateway for SMS (default: the outbox file)
/// - `--time-zone` / `LOCKER_TIME_ZONE` / `timeZone`: IANA zone the portal shows times in (default `Asia/Kolkata`)
/// - `--config` / `LOCKER_CONFIG`: the JSON file itself (default `Config/lockerd.json`)
///
/// Relative paths from flags or the environment are taken from the working directory; relative
/// paths inside the config file are taken from the config file's folder.
public struct LockerConfig: Sendable {
    public var host: String
    public var port: Int
    public var storagePath: String
    public var maxBodyBytes: Int
    public var logLevel: Logger.Level
    /// Where SMS go; nil means the embedded outbox file.
    public var smsGatewayURL: URL?
    /// Limits and lifetimes for documents, OTPs and sessions.
    public var settings = Settings()

    /// Flags `lockerd` accepts; anything else is refused rather than silently ignored.
    public static let knownFlags: Set<String> = ["host", "port", "storage", "max-body-bytes", "log-level", "config", "help",
                                                    "max-document-bytes", "session-ttl", "otp-per-mobile-per-hour", "otp-per-client-per-hour", "sms-gateway-url", "public-url",
                                                    "time-zone"]

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
        func int(_ key: String, _ range: ClosedRange<Int>, default value: Int) throws -> Int {
            let v = try read(all, key) { $0.int(forKey: ConfigKey(key)) } ?? value
            guard range.contains(v) else { throw LockerConfigError("invalid value for \(key): \(v) (expected \(range.lowerBound)-\(range.upperBound))") }
            return v
        }
        config.settings.maxDocumentBytes = try int("maxDocumentBytes", 1024...(1 << 30), default: 10 << 20)
        config.settings.sessionLifetime = TimeInterval(try int("sessionTTL", 60...(30 * 86400), default: 3600))
        config.settings.challengesPerMobilePerHour = try int("otpPerMobilePerHour", 1...1000, default: 5)
        config.settings.challengesPerClientPerHour = try int("otpPerClientPerHour", 1...1_000_000, default: 20)
        config.settings.publicURL = try read(all, "publicURL") { $0.string(forKey: "publicURL") } ?? "http://\(host):\(port)"
        guard let publicURL = URL(string: config.settings.publicURL), publicURL.scheme != nil, publicURL.host != nil else {
            throw LockerConfigError("invalid value for publicURL: \(config.settings.publicURL.debugDescription) (expected an absolute URL)")
        }
        let zoneName = try read(all, "timeZone") { $0.string(forKey: "timeZone") } ?? "Asia/Kolkata"
        guard let zone = TimeZone(identifier: zoneName) else {
            throw LockerConfigError("invalid value for timeZone: \(zoneName.debugDescription) (expected an IANA time zone such as Asia/Kolkata or UTC)")
        }
        config.settings.timeZone = zone
        if let raw = try read(all, "smsGatewayURL", { $0.string(forKey: "smsGatewayURL") }) {
            guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw LockerConfigError("invalid value for smsGatewayURL: \(raw.debugDescription) (expected an http(s) URL)")
            }
            config.smsGatewayURL = url
        }
        return config
    }

    static func checkFlags(_ arguments: [String]) throws {
        for argument in arguments.dropFirst() where argument.hasPrefix("--") {
            let name = String(argument.dropFirst(2).split(separator: "=", maxSplits: 1).first ?? "")
            guard knownFlags.contains(name) else { throw LockerConfigError("unknown option --\(name) (known: \(knownFlags.sorted().map { "--" + $0 }.joined(separator: ", ")))") }
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

/// A configuration value that cannot be used; its description is the one line `lockerd` prints.
public struct LockerConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
