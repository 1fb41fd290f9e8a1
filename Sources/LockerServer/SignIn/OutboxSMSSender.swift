import Foundation
import LockerCore
import Logging
import Synchronization
import FoundationNetworking

/// The embedded default: one JSON line per message (`to`, `text`, `at`) appended to
/// `Storage/outbox/sms.jsonl` (0600). A stand-in for a gateway on a developer's machine; it
/// holds OTPs and numbers in clear by design, so deployments point `smsGatewayURL` elsewhere.
public final class OutboxSMSSender: SMSSender {
    private let path: String
    private let lock = Mutex(())

    public init(path: String) {
        self.path = path
    }

    public func send(to mobile: String, text: String) async throws {
        let line: [String: String] = ["to": mobile, "text": text, "at": Timestamp.string(Date())]
        var data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        data.append(0x0a)
        try lock.withLock { _ in
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SMSError("cannot open SMS outbox") }
            defer { close(fd) }
            let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == data.count else { throw SMSError("cannot write SMS outbox") }
        }
    }
}
