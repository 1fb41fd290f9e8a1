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
