import Foundation
import LockerCore
import Logging
import Synchronization
import FoundationNetworking

/// Answers every redirect with "don't follow", so the 3xx itself becomes the response.
final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
