import Crypto
import Foundation
import LockerCore

extension PostgresKeyProvider {
    /// `locker keys rotate-root`: rewraps the index key and every KEK version from this
    /// provider's root key to `target`, in one transaction that requires the generation it read
    /// (as `save` does) and announces the change on `locker_keyring`. No citizen's key is touched:
    /// they are wrapped under the KEKs, which stay the same. Each rewrapped key is opened again
    /// under `target` before anything is written. Returns how many KEK versions were rewrapped.
    public func rotateRoot(to target: any RootKeyWrapper) throws -> Int {
        try convertSealedRing()
        return try pool.transaction { c -> Int in
            guard let state = try c.query("SELECT vaultID, indexKeyWrapped, generation FROM keyringState WHERE id = 1 FOR UPDATE").first else {
                throw StoreError("the database holds no key ring")
            }
            let vaultID: String = try state.decode(0)
            let generation: Int64 = try state.decode(2)
            let index = try rewrap(try state.decode(1), label: "index", vaultID: vaultID, to: target)
            let versions = try c.query("SELECT version, keyWrapped FROM kekVersions ORDER BY version FOR UPDATE")
            for row in versions {
                let version: Int = try row.decode(0)
                let wrapped = try rewrap(try row.decode(1), label: "kek-\(version)", vaultID: vaultID, to: target)
                try c.execute("UPDATE kekVersions SET keyWrapped = \(wrapped) WHERE version = \(version)")
            }
            let changed = try c.execute("""
                UPDATE keyringState SET indexKeyWrapped = \(index), generation = generation + 1, updatedAt = now()
                WHERE id = 1 AND generation = \(generation) AND vaultID = \(vaultID)
                """)
            guard changed == 1 else { throw StoreError("the key ring was changed by another process meanwhile; nothing was saved, run the command again") }
            try c.execute("SELECT pg_notify(\(PostgresNotices.keyring), '')")
            return versions.count
        }
    }

    /// Opens `wrapped` under the current root, wraps it under `target`, and checks it opens there.
    private func rewrap(_ wrapped: Data, label: String, vaultID: String, to target: any RootKeyWrapper) throws -> Data {
        let key = try unwrap(wrapped, label: label, vaultID: vaultID)
        let rewrapped = try wrap(key, label: label, vaultID: vaultID, under: target)
        let back = try unwrap(rewrapped, label: label, vaultID: vaultID, under: target)
        guard back == key else { throw StoreError("the new root key (\(target.name)) did not give back \(label); nothing was saved") }
        return rewrapped
    }
}
