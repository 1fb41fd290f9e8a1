import Foundation
import FoundationNetworking
import Synchronization

/// POSTs to an issuer with a hard cap on the answer's size and on the whole exchange's time,
/// following no redirects. Bytes past the cap cancel the transfer at once, so a hostile issuer
/// cannot make Locker hold a huge body.
final class BoundedFetch: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let limit: Int
    private(set) var session: URLSession!
    private let pending = Mutex<[Int: Transfer]>([:])

    struct Transfer {
        var data = Data()
        var continuation: CheckedContinuation<(HTTPURLResponse, Data), any Error>
        var failure: PullFailure?
    }

    init(limit: Int) {
        self.limit = limit
        super.init()
        session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)
    }

    func post(_ request: URLRequest, deadline: Duration) async throws -> (HTTPURLResponse, Data) {
        let task = session.dataTask(with: request)
        let id = task.taskIdentifier
        let timer = Task { [weak self] in
            try await Task.sleep(for: deadline)
            self?.fail(id, with: .timeout)
            task.cancel()
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0[id] = Transfer(continuation: continuation) }
            task.resume()
        }
    }

    private func fail(_ id: Int, with failure: PullFailure) {
        pending.withLock { if $0[id] != nil, $0[id]?.failure == nil { $0[id]?.failure = failure } }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = pending.withLock { state -> Bool in
            let id = dataTask.taskIdentifier
            guard state[id] != nil else { return false }
            state[id]!.data.append(data)  // in place: no copy of what arrived before
            if state[id]!.data.count > limit {
                state[id]!.failure = .issuerFailed("the answer is larger than \(limit / (1 << 20)) MB")
                state[id]!.data = Data()
            }
            return state[id]!.failure != nil
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let transfer = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        if let failure = transfer.failure {
            transfer.continuation.resume(throwing: failure)
        } else if let error {
            let timedOut = (error as? URLError)?.code == .timedOut
            transfer.continuation.resume(throwing: timedOut ? PullFailure.timeout : PullFailure.issuerFailed("the issuer could not be reached"))
        } else if let response = task.response as? HTTPURLResponse {
            transfer.continuation.resume(returning: (response, transfer.data))
        } else {
            transfer.continuation.resume(throwing: PullFailure.issuerFailed("no HTTP answer"))
        }
    }

    /// Redirects are answered, never followed: a request goes to the registered address or nowhere.
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
