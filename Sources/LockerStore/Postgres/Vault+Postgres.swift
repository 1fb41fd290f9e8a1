import Crypto
import Foundation
import LockerCore

extension Vault {
    /// Opens the vault a PostgreSQL deployment shares: the key ring from the database, sealed
    /// under `rootKey` (created on the very first start, by whichever node gets there first);
    /// `layout` is this node's own folder (SMS outbox, first admin credential, lock files).
    /// Throws one line when PostgreSQL cannot be reached or the root key does not open the ring.
    public static func open(postgres store: PostgresStore, rootKey: any RootKeyWrapper, layout: StorageLayout) throws -> Vault {
        try layout.prepare()
        let provider = PostgresKeyProvider(pool: store.pool, rootKey: rootKey, notices: store.notices)
        let stamp = provider.stamp()
        let keyring = try provider.load(createIfMissing: true)
        try recordIdentity(store.pool, keyring: keyring)
        let repositories = PostgresRepositories(pool: store.pool)
        return Vault(layout: layout, embedded: nil, records: PostgresVaultRecords(pool: store.pool), citizens: repositories,
                     documents: repositories, blobs: store.blobs, keyProvider: provider, keyring: keyring, stamp: stamp)
    }

    /// For the CLI: the same vault without a listener (it reloads the key ring whenever asked).
    public static func open(postgres pool: PostgresPool, rootKey: any RootKeyWrapper, layout: StorageLayout, blobFiles: (any BlobFiles)? = nil) throws -> Vault {
        try pool.check()
        try PostgresSchema.migrate(pool)
        let provider = PostgresKeyProvider(pool: pool, rootKey: rootKey, notices: nil)
        let keyring = try provider.load(createIfMissing: false)
        try recordIdentity(pool, keyring: keyring)
        let repositories = PostgresRepositories(pool: pool)
        return Vault(layout: layout, embedded: nil, records: PostgresVaultRecords(pool: pool), citizens: repositories,
                     documents: repositories, blobs: PostgresBlobStore(pool: pool, files: blobFiles), keyProvider: provider, keyring: keyring, stamp: nil)
    }

    /// The database records the vault id with the key ring's check value, as the embedded
    /// database does; a ring that does not match it is refused.
    private static func recordIdentity(_ pool: PostgresPool, keyring: Keyring) throws {
        guard let id = keyring.vaultID else { throw StoreError("the key ring in the database has no vault id") }
        let check = Data(keyring.identityCheck(vaultID: id))
        try pool.withConnection { c in
            try c.execute("INSERT INTO vaultIdentity (vaultID, keyCheck, createdAt) VALUES (\(id), \(check), now()) ON CONFLICT DO NOTHING")
            let rows = try c.query("SELECT vaultID, keyCheck FROM vaultIdentity")
            for row in rows {
                let recorded: String = try row.decode(0)
                let recordedCheck: Data = try row.decode(1)
                guard recorded == id, ConstantTime.equal([UInt8](recordedCheck), [UInt8](check)) else {
                    throw VaultIdentity.mismatch("the key ring belongs to vault \(id), the database to vault \(recorded)")
                }
            }
        }
    }
}

extension Vault {
    /// The PostgreSQL pool a shared vault was opened on; nil for an embedded vault.
    public var postgresPool: PostgresPool? { (records as? PostgresVaultRecords)?.pool }
}
