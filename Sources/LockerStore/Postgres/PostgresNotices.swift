import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Changes one node makes that the others must act on within a second, announced with
/// PostgreSQL's NOTIFY (delivered when the announcing transaction commits) and heard here on a
/// connection of its own: ended sessions and key-ring changes. Each channel has a counter that
/// moves on every notice; a cache compares it before trusting what it holds. While the listening
/// connection is down every counter moves on each reconnection attempt, so no cache is trusted
/// for longer than it would be without notices.
public final class PostgresNotices: Sendable {
    public static let sessions = "locker_sessions"
    public static let keyring = "locker_keyring"

    private let pool: PostgresPool
    private let counters = Mutex<[String: Int]>([PostgresNotices.sessions: 0, PostgresNotices.keyring: 0])
    private let listening = Mutex<PostgresConnection?>(nil)

    init(pool: PostgresPool) throws {
        self.pool = pool
        try listen()
        let thread = Thread { [self] in self.watch() }
        thread.name = "locker-pg-notices"
        thread.start()
    }

    /// Moves whenever `channel` was notified (or the listener had to reconnect).
    public func stamp(_ channel: String) -> Int { counters.withLock { $0[channel] ?? 0 } }

    private func bump(_ channel: String?) {
        counters.withLock { all in
            for key in all.keys where channel == nil || key == channel { all[key]! += 1 }
        }
    }

    private func listen() throws {
        let connection = try pool.connect()
        for channel in [Self.sessions, Self.keyring] {
            connection.addListener(channel: channel) { [weak self] _, _ in self?.bump(channel) }
            _ = try connection.query(PostgresQuery(unsafeSQL: "LISTEN \(channel)"), logger: PostgresPool.logger).blockingWait()
        }
        listening.withLock { $0 = connection }
    }

    /// Reconnects the listener when its connection closes.
    private func watch() {
        while true {
            if let connection = listening.withLock({ $0 }) { try? connection.closeFuture.blockingWait() }
            listening.withLock { $0 = nil }
            bump(nil)
            Thread.sleep(forTimeInterval: 0.25)
            do {
                try listen()
                bump(nil)  // anything announced while we were away
            } catch {
                continue
            }
        }
    }
}
