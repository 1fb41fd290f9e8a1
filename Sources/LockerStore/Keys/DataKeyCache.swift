import Crypto
import Foundation
import Synchronization

/// Citizens' unwrapped data keys, kept for a few seconds so that a citizen's repeated downloads
/// (and a burst of pushes to one citizen) unwrap the key under the KEK once. In memory only,
/// never written anywhere; bounded in count; an entry answers only for the exact wrapped key it
/// was unwrapped from, so a rekey or a KEK rotation made by another process or node can never be
/// answered with a stale key. Emptied for a citizen on rekey and sign-out, and entirely whenever
/// the key ring changes.
public final class DataKeyCache: Sendable {
    private struct Entry {
        let kekVersion: Int
        let wrapped: Data
        let key: SymmetricKey
        let expires: ContinuousClock.Instant
    }

    /// How long an unwrapped key is kept.
    public let lifetime: Duration
    /// At most this many keys are kept; past it, the expired ones go, then all.
    public let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(lifetime: Duration = .seconds(10), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The key unwrapped from exactly `wrapped` (under KEK `kekVersion`) for `citizenID`, if still fresh.
    public func key(citizenID: String, kekVersion: Int, wrapped: Data) -> SymmetricKey? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[citizenID] else { return nil }
            guard entry.expires > now, entry.kekVersion == kekVersion, entry.wrapped == wrapped else {
                entries[citizenID] = nil
                return nil
            }
            return entry.key
        }
    }

    /// Keeps `key`, unwrapped from `wrapped` under KEK `kekVersion`, for `citizenID`.
    public func store(_ key: SymmetricKey, citizenID: String, kekVersion: Int, wrapped: Data) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            if entries.count >= capacity && entries[citizenID] == nil {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll() }
            }
            entries[citizenID] = Entry(kekVersion: kekVersion, wrapped: wrapped, key: key, expires: now + lifetime)
        }
    }

    /// Forgets one citizen's key (sign-out, rekey).
    public func remove(citizenID: String) {
        _ = entries.withLock { $0.removeValue(forKey: citizenID) }
    }

    /// Forgets every key (the key ring changed).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// How many keys are held now (tests).
    public var count: Int { entries.withLock { $0.count } }
}
