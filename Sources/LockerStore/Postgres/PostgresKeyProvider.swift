import Crypto
import Foundation
import LockerCore
import PostgresNIO
import Synchronization

/// The key ring of a PostgreSQL deployment, in the database: each KEK version is a row of
/// `kekVersions`, its key wrapped with AES-256-GCM under the root key (associated data: the vault
/// id and the version, so no row can be moved to another version or vault); `keyringState`
/// holds the primary and minimum versions, the wrapped index key and a generation number. A
/// change must still find the generation it read, and is announced on `locker_keyring`, so every
/// node reloads the ring within its next key watch (one second). Rotating the root key rewraps
/// only these few rows, never a citizen's key.
public final class PostgresKeyProvider: KeyProvider {
    let pool: PostgresPool
    /// The root key: a file's 32 bytes in memory, or a key in an HSM (`RootKeyWrapper`).
    let rootKey: any RootKeyWrapper
    /// Absent in a one-shot CLI process: then every `stamp` asks for a reload.
    let notices: PostgresNotices?
    /// The generation last loaded, which `save` requires to be unchanged.
    private let loaded = Mutex<Int64?>(nil)

    public init(pool: PostgresPool, rootKey: any RootKeyWrapper, notices: PostgresNotices?) {
        self.pool = pool
        self.rootKey = rootKey
        self.notices = notices
    }

    public func exists() -> Bool {
        (try? pool.withConnection { c in try c.query("SELECT 1 FROM keyringState WHERE id = 1").isEmpty == false }) ?? false
    }

    public func load(createIfMissing: Bool) throws -> Keyring {
        try convertSealedRing()
        if let ring = try read() { return ring }
        guard createIfMissing else { throw StoreError("the database holds no key ring") }
        // Two nodes starting on an empty database: the first ring stored wins, the other node uses it.
        guard try install(Keyring.generate()) else { return try load(createIfMissing: false) }
        return try load(createIfMissing: false)
    }

    /// Stores `keyring` in an empty database; false if a ring was stored first by someone else.
    @discardableResult
    func install(_ keyring: Keyring) throws -> Bool {
        guard let vaultID = keyring.vaultID else { throw StoreError("a key ring without a vault id cannot be stored") }
        let index = try wrap(keyring.indexKey, label: "index", vaultID: vaultID)
        return try pool.transaction { c -> Bool in
            let inserted = try c.execute("""
                INSERT INTO keyringState (id, vaultID, primaryVersion, minDecryptionVersion, indexKeyWrapped, generation, updatedAt)
                VALUES (1, \(vaultID), \(keyring.primaryVersion), \(keyring.minDecryptionVersion), \(index), 1, now()) ON CONFLICT (id) DO NOTHING
                """)
            guard inserted == 1 else { return false }
            try writeVersions(keyring, vaultID: vaultID, connection: c)
            return true
        }
    }

    public func save(_ keyring: Keyring) throws {
        guard let vaultID = keyring.vaultID else { throw StoreError("a key ring without a vault id cannot be stored") }
        guard let generation = loaded.withLock({ $0 }) else { throw StoreError("the key ring was not loaded before it was changed") }
        let changed = try pool.transaction { c -> Int in
            let n = try c.execute("""
                UPDATE keyringState SET primaryVersion = \(keyring.primaryVersion), minDecryptionVersion = \(keyring.minDecryptionVersion),
                    generation = generation + 1, updatedAt = now() WHERE id = 1 AND generation = \(generation) AND vaultID = \(vaultID)
                """)
            guard n == 1 else { return 0 }
            try writeVersions(keyring, vaultID: vaultID, connection: c)
            try c.execute("SELECT pg_notify(\(PostgresNotices.keyring), '')")
            return 1
        }
        guard changed == 1 else { throw StoreError("the key ring was changed by another process meanwhile; nothing was saved, run the command again") }
        loaded.withLock { $0 = generation + 1 }
    }

    public func stamp() -> String? {
        notices.map { "\($0.stamp(PostgresNotices.keyring))" }
    }

    /// New versions are added, destroyed ones deleted; a version's wrapped key never changes.
    private func writeVersions(_ keyring: Keyring, vaultID: String, connection c: PGConnection) throws {
        let present = Set(try c.query("SELECT version FROM kekVersions").map { try $0.decode(0, as: Int.self) })
        for version in keyring.versions where !present.contains(version) {
            let entry = keyring.entries[version]!
            let wrapped = try wrap(entry.key, label: "kek-\(version)", vaultID: vaultID)
            try c.execute("INSERT INTO kekVersions (version, keyWrapped, createdAt) VALUES (\(version), \(wrapped), \(entry.createdAt))")
        }
        for version in present.subtracting(keyring.versions) {
            try c.execute("DELETE FROM kekVersions WHERE version = \(version)")
        }
    }

    private func read() throws -> Keyring? {
        let (state, versions) = try pool.withConnection { c in
            (try c.query("SELECT vaultID, primaryVersion, minDecryptionVersion, indexKeyWrapped, generation FROM keyringState WHERE id = 1").first,
             try c.query("SELECT version, keyWrapped, createdAt FROM kekVersions ORDER BY version"))
        }
        guard let state else { return nil }
        let vaultID: String = try state.decode(0)
        var entries: [Keyring.Entry] = []
        for row in versions {
            let version: Int = try row.decode(0)
            entries.append(Keyring.Entry(version: version, key: try unwrap(try row.decode(1), label: "kek-\(version)", vaultID: vaultID),
                                         createdAt: try row.decode(2)))
        }
        let index = try unwrap(try state.decode(3), label: "index", vaultID: vaultID)
        var ring: Keyring
        do {
            ring = try Keyring(entries: entries, primaryVersion: try state.decode(1), minDecryptionVersion: try state.decode(2), indexKey: index)
        } catch {
            throw StoreError("the key ring in the database is not coherent: \(error)")
        }
        ring.vaultID = vaultID
        let generation: Int64 = try state.decode(4)
        loaded.withLock { $0 = generation }
        return ring
    }

    func aad(_ label: String, vaultID: String) -> [UInt8] { Array("locker-root-wrap-v1|\(vaultID)|\(label)".utf8) }

    /// Wraps one key of the ring under `root` (by default this provider's root key).
    func wrap(_ key: SymmetricKey, label: String, vaultID: String, under root: (any RootKeyWrapper)? = nil) throws -> Data {
        let raw = key.withUnsafeBytes { Array($0) }
        return try (root ?? rootKey).wrap(raw, authenticating: aad(label, vaultID: vaultID))
    }

    /// Opens one key of the ring. An HSM that cannot be reached throws `RootKeyUnavailable`
    /// (503 for a request that needed it); anything else is the wrong root key or altered bytes.
    func unwrap(_ wrapped: Data, label: String, vaultID: String, under root: (any RootKeyWrapper)? = nil) throws -> SymmetricKey {
        let root = root ?? rootKey
        do {
            let raw = try root.unwrap(wrapped, authenticating: aad(label, vaultID: vaultID))
            guard raw.count == 32 else { throw StoreError("wrapped key \(label) is not 32 bytes") }
            return SymmetricKey(data: raw)
        } catch let error as RootKeyUnavailable {
            throw error
        } catch {
            throw StoreError(Self.refusal(root))
        }
    }

    static func refusal(_ root: any RootKeyWrapper) -> String {
        "the root key does not open this database's key ring (\(root.name): is it the one this deployment was created with, or was a row altered?)"
    }

    /// A database made before KEK versions had rows of their own holds the whole ring sealed in
    /// one `keyring` row: it is moved into the rows once, by whichever process opens it first.
    func convertSealedRing() throws {
        guard let sealed = try pool.withConnection({ c in try c.query("SELECT sealed FROM keyring WHERE id = 1").first }) else { return }
        let plain: [UInt8]
        do {
            plain = try rootKey.unwrap(try sealed.decode(0, as: Data.self), authenticating: Array("locker-keyring-v1".utf8))
        } catch let error as RootKeyUnavailable {
            throw error
        } catch {
            throw StoreError(Self.refusal(rootKey))
        }
        let ring = try KeyringCodec.decode(plain)
        try install(ring)
        try pool.withConnection { c in try c.execute("DELETE FROM keyring WHERE id = 1") }
    }
}
