import Foundation
import LockerStore
import Synchronization

/// A small time-bounded cache of checked sessions, keyed by token hash. Expiry is still
/// checked on every request against the session's own `expiresAt`; the cache only saves the
/// database read. Bounded in size: when full, it is cleared rather than grown.
final class SessionCache: Sendable {
    private struct Entry { let session: SessionRecord; let citizen: CitizenRecord; let fetchedAt: Date }
    private let entries = Mutex<(map: [Data: Entry], epoch: String?)>(([:], nil))
    private let lifetime: TimeInterval
    private let capacity = 100_000
    /// Changes when sessions were ended elsewhere (the CLI, or another node); the cache is
    /// then cleared at once.
    private let sessionEpoch: (@Sendable () -> String?)?

    init(lifetime: TimeInterval, epoch: (@Sendable () -> String?)? = nil) {
        self.lifetime = lifetime
        self.sessionEpoch = epoch
        entries.withLock { $0.epoch = epoch?() }
    }

    /// The cached session, if any, and the epoch it was looked up under (hand it to `put`).
    func get(_ tokenHash: Data, now: Date) -> (value: (SessionRecord, CitizenRecord)?, epoch: String?) {
        guard lifetime > 0 else { return (nil, nil) }
        let stamp = sessionEpoch?()
        return (lookup(tokenHash, now: now, stamp: stamp), stamp)
    }

    private func lookup(_ tokenHash: Data, now: Date, stamp: String?) -> (SessionRecord, CitizenRecord)? {
        entries.withLock { state in
            if stamp != state.epoch {
                state.map.removeAll(keepingCapacity: true)
                state.epoch = stamp
                return nil
            }
            guard let entry = state.map[tokenHash] else { return nil }
            guard now.timeIntervalSince(entry.fetchedAt) < lifetime, now >= entry.fetchedAt else {
                state.map[tokenHash] = nil
                return nil
            }
            return (entry.session, entry.citizen)
        }
    }

    /// Caches a session read under `epoch`; a read that sessions were ended after is not kept.
    func put(_ tokenHash: Data, _ value: (SessionRecord, CitizenRecord), now: Date, epoch: String?) {
        guard lifetime > 0 else { return }
        entries.withLock { state in
            guard epoch == state.epoch else { return }
            if state.map.count >= capacity { state.map.removeAll(keepingCapacity: true) }
            state.map[tokenHash] = Entry(session: value.0, citizen: value.1, fetchedAt: now)
        }
    }

    func remove(_ tokenHash: Data) {
        entries.withLock { _ = $0.map.removeValue(forKey: tokenHash) }
    }
}
