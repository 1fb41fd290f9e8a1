import Foundation
import LockerCore
import Logging
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where text messages go: an outside party, so tests may stand in for it.
public protocol SMSSender: Sendable {
    func send(to mobile: String, text: String) async throws
}

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

/// Posts `{"to": …, "text": …}` as JSON to a configured gateway URL. Redirects are never
/// followed: the message (an OTP) goes to the configured address or nowhere, so a 3xx answer is
/// a failed send, like any other non-2xx.
public struct GatewaySMSSender: SMSSender {
    let url: URL
    let session: URLSession

    public init(url: URL) {
        self.url = url
        // A session of its own: only a session-wide delegate is asked about redirects
        // (FoundationNetworking ignores per-task delegates there).
        session = URLSession(configuration: .ephemeral, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    public func send(to mobile: String, text: String) async throws {
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["to": mobile, "text": text])
        let (_, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw SMSError("SMS gateway refused the message")
        }
    }
}

/// The words of the messages Locker sends. The code always comes first, so "the OTP is the
/// first run of 6 digits" holds whatever a verifier writes after it.
enum SMSText {
    /// The KYC-VS consent prompt: the code, the verifier by its registered name, and the
    /// verifier's purpose in quotes (validated: no control, format or separator characters,
    /// no run of 4+ digits).
    static func kycConsent(otp: String, verifierName: String, purpose: String, minutes: Int) -> String {
        "Your Locker consent code is \(otp). Give it to \(verifierName) only if you agree that they check your vaccination status. "
            + "Their stated purpose: \"\(purpose)\". The code expires in \(minutes) minutes."
    }
}

/// Answers every redirect with "don't follow", so the 3xx itself becomes the response.
final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

struct SMSError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
