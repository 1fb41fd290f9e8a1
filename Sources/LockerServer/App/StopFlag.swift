import Synchronization

/// Set once, read from any thread: tells a blocking rewrap to stop between batches.
final class StopFlag: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
