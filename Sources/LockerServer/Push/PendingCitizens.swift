import Foundation
import LockerStore
import Synchronization

/// Citizens being created by pushes still in flight, by mobile hash. Two concurrent first
/// pushes for one number share one new citizen (one data key) instead of racing to create two;
/// whichever commits first inserts the row, the other finds it there.
final class PendingCitizens: Sendable {
    private let entries = Mutex<[Data: (record: CitizenRecord, users: Int)]>([:])

    /// The citizen for `mobile`: the stored one, or a shared not-yet-stored one (`isNew`).
    /// `stored` is what the caller's read found for the keyed mobile hash `hash`.
    func acquire(mobile: String, hash: Data, stored: CitizenRecord?, vault: Vault) throws -> (record: CitizenRecord, isNew: Bool) {
        if let stored { return (stored, false) }
        return try entries.withLock { map in
            if let entry = map[hash] {
                map[hash] = (entry.record, entry.users + 1)
                return (entry.record, true)
            }
            let record = try vault.makeCitizen(mobile: mobile)
            map[hash] = (record, 1)
            return (record, true)
        }
    }

    /// Drops one use of a pending citizen.
    func release(_ record: CitizenRecord) {
        entries.withLock { map in
            guard let entry = map[record.mobileHash] else { return }
            map[record.mobileHash] = entry.users > 1 ? (entry.record, entry.users - 1) : nil
        }
    }
}
