import Foundation
import LockerCore
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log shippers —
/// `{"ts", "level", "label", "source", "message", ...metadata}`. The same events and metadata as
/// the text format, which never carry a token, an OTP, a mobile number or a name (request
/// lines are logged by route template), so nothing more needs redacting here.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    private static let lock = NSLock()

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        fields["ts"] = Timestamp.stringWithMillis(Date())
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["source"] = event.source
        fields["message"] = "\(event.message)"
        let line = JSONText.object(fields) + "\n"
        Self.lock.lock()
        defer { Self.lock.unlock() }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
