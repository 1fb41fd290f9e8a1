import ArgumentParser
import Foundation
import FoundationNetworking
import LockerCore
import Synchronization

/// One HTTP request made synchronously (the CLI is synchronous) with URLSession.
enum HTTPExchange {
    struct Answer: Sendable {
        let status: Int
        let body: Data
    }

    private final class Outcome: Sendable {
        let value = Mutex<Result<Answer, CLIError>?>(nil)
    }

    static func send(_ request: URLRequest) throws -> Answer {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let target = request.url.map { "\($0.scheme ?? "http")://\($0.host ?? "")\($0.port.map { ":\($0)" } ?? "")" } ?? "lockerd"
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            let result: Result<Answer, CLIError>
            if let error {
                result = .failure(CLIError("cannot reach lockerd at \(target): \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse {
                result = .success(Answer(status: http.statusCode, body: data ?? Data()))
            } else {
                result = .failure(CLIError("no HTTP answer from \(target)"))
            }
            outcome.value.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        done.wait()
        return try outcome.value.withLock { $0 }!.get()
    }
}
