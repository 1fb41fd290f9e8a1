import Foundation
import LockerStore
import Synchronization

/// A small time-bounded cache of checked sessions, keyed by token hash. Expiry is still
/// checked on every request against the session's own `expiresAt`; the cache only saves the
/// database read. Bounded in size: when full, it is cleared rather than grown.
final class SessionCache: Sendable {
    private struct Entry { let session: SessionRecord; let citizen: CitizenRecord; let fetchedAt: Date }
    private let entries = Mutex<[Data: Entry]>([:])
    private let lifetime: TimeInterval
    private let capacity = 100_000

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    func get(_ tokenHash: Data, now: Date) -> (SessionRecord, CitizenRecord)? {
        guard lifetime > 0 else { return nil }
        return entries.withLock { map in
            guard let entry = map[tokenHash] else { return nil }
            guard now.timeIntervalSince(entry.fetchedAt) < lifetime, now >= entry.fetchedAt else {
                map[tokenHash] = nil
                return nil
            }
            return (entry.session, entry.citizen)
        }
    }

    func put(_ tokenHash: Data, _ value: (SessionRecord, CitizenRecord), now: Date) {
        guard lifetime > 0 else { return }
        entries.withLock { map in
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[tokenHash] = Entry(session: value.0, citizen: value.1, fetchedAt: now)
        }
    }

    func remove(_ tokenHash: Data) {
        entries.withLock { _ = $0.removeValue(forKey: tokenHash) }
    }
}
