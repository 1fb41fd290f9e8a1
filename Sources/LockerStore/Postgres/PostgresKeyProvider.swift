import Crypto
import Foundation
import LockerCore
import PostgresNIO
import Synchronization

/// The key ring of a PostgreSQL deployment: one row, sealed with AES-256-GCM under the root
/// key (every KEK version, the index key and the vault id inside it). A change is written with
/// a generation number that must still be the one read, and announced on `locker_keyring`, so
/// every node reloads it within its next key watch (one second).
public final class PostgresKeyProvider: KeyProvider {
    let pool: PostgresPool
    let rootKey: SymmetricKey
    /// Absent in a one-shot CLI process: then every `stamp` asks for a reload.
    let notices: PostgresNotices?
    /// The generation last loaded, which `save` requires to be unchanged.
    private let loaded = Mutex<Int64?>(nil)
    static let aad = Array("locker-keyring-v1".utf8)

    public init(pool: PostgresPool, rootKey: SymmetricKey, notices: PostgresNotices?) {
        self.pool = pool
        self.rootKey = rootKey
        self.notices = notices
    }

    public func exists() -> Bool {
        (try? pool.withConnection { c in try c.query("SELECT 1 FROM keyring WHERE id = 1").isEmpty == false }) ?? false
    }

    public func load(createIfMissing: Bool) throws -> Keyring {
        if let row = try pool.withConnection({ c in try c.query("SELECT sealed, generation FROM keyring WHERE id = 1").first }) {
            let generation: Int64 = try row.decode(1)
            let ring = try open(try row.decode(0, as: Data.self))
            loaded.withLock { $0 = generation }
            return ring
        }
        guard createIfMissing else { throw StoreError("the database holds no key ring") }
        let ring = Keyring.generate()
        let sealed = try seal(ring)
        // Two nodes starting on an empty database: the first ring stored wins, the other node uses it.
        let inserted = try pool.withConnection { c in
            try c.execute("INSERT INTO keyring (id, sealed, generation, updatedAt) VALUES (1, \(sealed), 1, now()) ON CONFLICT (id) DO NOTHING")
        }
        if inserted == 0 { return try load(createIfMissing: false) }
        loaded.withLock { $0 = 1 }
        return ring
    }

    public func save(_ keyring: Keyring) throws {
        let sealed = try seal(keyring)
        guard let generation = loaded.withLock({ $0 }) else { throw StoreError("the key ring was not loaded before it was changed") }
        let changed = try pool.transaction { c -> Int in
            let n = try c.execute("UPDATE keyring SET sealed = \(sealed), generation = generation + 1, updatedAt = now() WHERE id = 1 AND generation = \(generation)")
            if n == 1 { try c.execute("SELECT pg_notify(\(PostgresNotices.keyring), '')") }
            return n
        }
        guard changed == 1 else { throw StoreError("the key ring was changed by another process meanwhile; nothing was saved, run the command again") }
        loaded.withLock { $0 = generation + 1 }
    }

    public func stamp() -> String? {
        notices.map { "\($0.stamp(PostgresNotices.keyring))" }
    }

    func seal(_ keyring: Keyring) throws -> Data {
        Data(try AES.GCM.seal(KeyringCodec.encode(keyring), using: rootKey, authenticating: Self.aad).combined!)
    }

    func open(_ sealed: Data) throws -> Keyring {
        let plain: Data
        do {
            plain = try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: rootKey, authenticating: Self.aad)
        } catch {
            throw StoreError("the root key does not open this database's key ring (is --root-key-file the one this deployment was created with?)")
        }
        return try KeyringCodec.decode([UInt8](plain))
    }
}
