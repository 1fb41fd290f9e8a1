import Foundation
import LockerCore
import Logging
import Synchronization
import FoundationNetworking

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
