import Foundation
import GRDB
import LockerCore

/// One vault, one identity: a database, its keyring and its blobs belong together.
///
/// The keyring carries a vault id; the database records the same id with a check value keyed by
/// the keyring's index key (`Keyring.identityCheck`); the blob folder holds the id in
/// `blobs/vault-id`. A keyring copied from another vault, a database restored beside the wrong
/// keyring, or blobs from elsewhere stop the vault from opening, before anything is written.
public enum VaultIdentity {
    /// What a database says about the vault it belongs to.
    public struct Recorded: Sendable, Equatable {
        public var vaultID: String
        public var check: [UInt8]
    }

    /// A vault whose parts do not belong together.
    static func mismatch(_ what: String) -> StoreError {
        StoreError("\(what); this storage folder pairs parts of different vaults (was a keyring, database or backup copied in?). Nothing was read or written; put back the matching files")
    }

    /// Checks an existing database against `keyring`, read-only and before any migration runs.
    /// Returns the identity the database records (nil for a database from before vault ids,
    /// which is checked instead by unwrapping a sample of its data and signing keys).
    static func verify(databasePath: String, keyring: Keyring) throws -> Recorded? {
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: databasePath, configuration: config)
        } catch {
            throw StoreError("cannot open database \(databasePath): \(LockerDatabase.describe(error))")
        }
        return try queue.read { db in
            if try db.tableExists("vaultIdentity") {
                guard let row = try Row.fetchOne(db, sql: "SELECT vaultID, keyCheck FROM vaultIdentity") else { return nil }
                let recorded = Recorded(vaultID: row["vaultID"], check: [UInt8](row["keyCheck"] as Data))
                if let ringID = keyring.vaultID, ringID != recorded.vaultID {
                    throw mismatch("the keyring belongs to vault \(ringID), the database to vault \(recorded.vaultID)")
                }
                guard ConstantTime.equal(keyring.identityCheck(vaultID: recorded.vaultID), recorded.check) else {
                    throw mismatch("the keyring does not belong to vault \(recorded.vaultID), whose database this is")
                }
                return recorded
            }
            try probeLegacy(db, keyring: keyring)
            return nil
        }
    }

    /// A database written before vault ids: the keyring must open the first data keys and
    /// signing keys it holds (any KEK version it names must be present and authentic).
    private static func probeLegacy(_ db: Database, keyring: Keyring) throws {
        if try db.tableExists("citizens") {
            for row in try Row.fetchAll(db, sql: "SELECT id, dekWrapped, kekVersion FROM citizens ORDER BY rowid LIMIT 8") {
                let wrapped = WrappedKey(kekVersion: row["kekVersion"], bytes: [UInt8](row["dekWrapped"] as Data))
                guard (try? keyring.unwrapDataKey(wrapped, ownerID: row["id"])) != nil else {
                    throw mismatch("the keyring cannot open this database's data keys")
                }
            }
        }
        if try db.tableExists("signingKeys") {
            for record in try SigningKeyRecord.fetchAll(db, sql: "SELECT * FROM signingKeys ORDER BY rowid LIMIT 4") {
                guard (try? Vault.unwrapSigningKey(record, ring: keyring)) != nil else {
                    throw mismatch("the keyring cannot open this database's signing keys")
                }
            }
        }
    }

    /// Checks the blob folder's marker against the keyring's vault id.
    static func verifyBlobs(layout: StorageLayout, vaultID: String?) throws {
        guard let vaultID, let recorded = blobMarker(layout) else { return }
        guard recorded == vaultID else { throw mismatch("the blob folder belongs to vault \(recorded), the keyring to vault \(vaultID)") }
    }

    /// Records `vaultID` wherever it is missing: in the database (with its check value) and in
    /// the blob folder. Run after the checks and migrations, so it only ever completes a binding.
    static func record(vaultID: String, keyring: Keyring, database: LockerDatabase, layout: StorageLayout, now: Date = Date()) throws {
        try database.pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM vaultIdentity") == 0 else { return }
            try db.execute(sql: "INSERT INTO vaultIdentity (vaultID, keyCheck, createdAt) VALUES (?, ?, ?)",
                           arguments: [vaultID, Data(keyring.identityCheck(vaultID: vaultID)), now])
        }
        if !FileManager.default.fileExists(atPath: markerPath(layout)) {
            try POSIXFile.writeAtomically(Array((vaultID + "\n").utf8), to: markerPath(layout), mode: 0o600)
        }
    }

    /// For read-only tools (`locker audit verify`): checks that the keyring and the database in
    /// `layout` belong together, writing nothing.
    public static func verifyReadOnly(layout: StorageLayout) throws {
        let provider = FileKeyProvider(layout: layout)
        guard provider.exists() else { throw StoreError("no keyring at \(layout.keyringPath)") }
        let keyring = try provider.load(createIfMissing: false)
        let recorded = try verify(databasePath: layout.databasePath, keyring: keyring)
        try verifyBlobs(layout: layout, vaultID: keyring.vaultID ?? recorded?.vaultID)
    }

    /// The identity a database records, if any (for `locker keys status` and tests).
    public static func recorded(in database: LockerDatabase) throws -> String? {
        try database.pool.read { db in try String.fetchOne(db, sql: "SELECT vaultID FROM vaultIdentity") }
    }

    static func markerPath(_ layout: StorageLayout) -> String { layout.blobDirectory + "/vault-id" }

    /// The vault id the blob folder records, if any.
    static func blobMarker(_ layout: StorageLayout) -> String? {
        (try? String(contentsOfFile: markerPath(layout), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
