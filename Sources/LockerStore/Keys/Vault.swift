import Crypto
import Foundation
import GRDB
import LockerCore
import Synchronization

/// The encrypted vault: keyring, metadata and sealed blobs behind one object.
///
/// Everything that turns plaintext into something stored (or back) goes through here, so the
/// rule "no plaintext at rest" has one place to hold.
public final class Vault: Sendable {
    /// The folders in use.
    public let layout: StorageLayout
    /// The embedded database; nil when the vault lives in PostgreSQL.
    let embedded: (database: LockerDatabase, blobs: SQLiteBlobStore)?
    /// What the key administration reads and writes, on whichever engine holds the vault.
    public let records: any VaultRecords
    public let citizens: any CitizenRepository
    public let documents: any DocumentRepository
    public let blobs: any BlobStore
    let keyProvider: any KeyProvider
    private let keyringState: Mutex<(keyring: Keyring, stamp: String?)>
    /// Citizens' data keys unwrapped in the last seconds (the download path's second unwrap).
    public let dataKeys = DataKeyCache()

    /// Opens the vault under `layout`: checks the folders, loads (or, on a first start, creates)
    /// the keyring, opens and migrates the database. Throws one `StoreError` naming the problem
    /// before anything is written if the folder, keyring or database is unusable.
    /// `blobFiles`: where blobs too large to live inline go (default: files under `layout`).
    public static func open(layout: StorageLayout, keyProvider: (any KeyProvider)? = nil, backgroundCheckpoints: Bool = false,
                            blobFiles: (any BlobFiles)? = nil) throws -> Vault {
        try layout.prepare()
        let provider = keyProvider ?? FileKeyProvider(layout: layout)
        let databaseExists = FileManager.default.fileExists(atPath: layout.databasePath)
        let keyringExists = provider.exists()
        if !keyringExists && databaseExists {
            throw StoreError("keyring missing at \(layout.keyringPath) but database \(layout.databasePath) exists; refusing to create new keys (stored documents would be unreadable)")
        }
        if !keyringExists, let marker = VaultIdentity.blobMarker(layout) {
            throw StoreError("keyring missing at \(layout.keyringPath) but the blob folder belongs to vault \(marker); refusing to create new keys (stored documents would be unreadable)")
        }
        var stamp = provider.stamp()
        var keyring = try provider.load(createIfMissing: true)
        if !keyringExists { stamp = provider.stamp() }  // created just now: not a change to pick up
        // One vault, one identity: checked read-only, before any migration or write.
        let recorded = databaseExists ? try VaultIdentity.verify(databasePath: layout.databasePath, keyring: keyring) : nil
        try VaultIdentity.verifyBlobs(layout: layout, vaultID: keyring.vaultID ?? recorded?.vaultID)
        let database = try LockerDatabase(path: layout.databasePath, backgroundCheckpoints: backgroundCheckpoints)
        let vaultID = keyring.vaultID ?? recorded?.vaultID ?? SecureRandom.identifier()
        if keyring.vaultID == nil {
            // A keyring from before vault ids: give it this vault's id, durably, under the lock.
            let lock = try FileLock.acquire(layout.keyringLockPath)
            defer { withExtendedLifetime(lock) {} }
            var fresh = try provider.load(createIfMissing: false)
            if fresh.vaultID == nil {
                fresh.vaultID = vaultID
                try provider.save(fresh)
            }
            keyring = fresh
            stamp = provider.stamp()
        }
        try VaultIdentity.record(vaultID: vaultID, keyring: keyring, database: database, layout: layout)
        return Vault(layout: layout, database: database, keyProvider: provider, keyring: keyring, stamp: stamp, blobFiles: blobFiles)
    }

    /// The vault id shared by this vault's keyring, database and blob folder.
    public var vaultID: String? { keyring.vaultID }

    convenience init(layout: StorageLayout, database: LockerDatabase, keyProvider: any KeyProvider, keyring: Keyring, stamp: String? = nil,
                     blobFiles: (any BlobFiles)? = nil) {
        let blobs = SQLiteBlobStore(database: database, files: blobFiles ?? FileBlobStore(layout: layout))
        self.init(layout: layout, embedded: (database, blobs), records: SQLiteVaultRecords(database: database, layout: layout),
                  citizens: SQLiteCitizenRepository(database: database), documents: SQLiteDocumentRepository(database: database),
                  blobs: blobs, keyProvider: keyProvider, keyring: keyring, stamp: stamp)
    }

    init(layout: StorageLayout, embedded: (database: LockerDatabase, blobs: SQLiteBlobStore)?, records: any VaultRecords,
         citizens: any CitizenRepository, documents: any DocumentRepository, blobs: any BlobStore,
         keyProvider: any KeyProvider, keyring: Keyring, stamp: String?) {
        self.layout = layout
        self.embedded = embedded
        self.records = records
        self.citizens = citizens
        self.documents = documents
        self.blobs = blobs
        self.keyProvider = keyProvider
        self.keyringState = Mutex((keyring, stamp))
    }

    /// The embedded database. Only an embedded vault has one: code that reaches for it on a
    /// PostgreSQL vault is a bug in this program, not a state to recover from.
    public var database: LockerDatabase {
        guard let embedded else { preconditionFailure("Vault.database used on a PostgreSQL vault") }
        return embedded.database
    }

    /// The embedded blob store, for the SQLite adapters that write inline blobs in their own transactions.
    var sqliteBlobs: SQLiteBlobStore {
        guard let embedded else { preconditionFailure("Vault.sqliteBlobs used on a PostgreSQL vault") }
        return embedded.blobs
    }

    /// Whether the vault lives in PostgreSQL (shared by several nodes) rather than in the embedded database.
    public var isShared: Bool { embedded == nil }

    /// The keyring in use.
    public var keyring: Keyring { keyringState.withLock { $0.keyring } }

    /// Re-reads the keyring if the stored one changed (the CLI rotated, retired or destroyed a
    /// version while this process ran). Returns whether it changed. Cheap when nothing did: one
    /// `stat`.
    @discardableResult
    public func refreshKeyring() throws -> Bool {
        let stamp = keyProvider.stamp()
        if let stamp, stamp == keyringState.withLock({ $0.stamp }) { return false }
        let fresh = try keyProvider.load(createIfMissing: false)
        // One vault, one identity, also while running: a keyring copied in from another vault
        // (another vault id, or another index key) is refused and the one in use is kept.
        let current = keyring
        guard fresh.vaultID == current.vaultID || current.vaultID == nil,
              let id = current.vaultID ?? fresh.vaultID,
              ConstantTime.equal(fresh.identityCheck(vaultID: id), current.identityCheck(vaultID: id)) else {
            throw VaultIdentity.mismatch("the keyring now at \(layout.keyringPath) belongs to vault \(fresh.vaultID ?? "(none recorded)"), not to vault \(current.vaultID ?? "?") which this process serves; it was not loaded")
        }
        keyringState.withLock { $0 = (fresh, stamp) }
        dataKeys.removeAll()
        return true
    }

    /// Changes the keyring under the keyring lock and stores it durably before anyone can use
    /// the change (the file is fsynced and renamed into place by the key provider).
    @discardableResult
    public func updateKeyring(_ change: (inout Keyring) throws -> Void) throws -> Keyring {
        // On PostgreSQL the key provider's generation check stands in for the file lock: of two
        // changes made at once anywhere in the deployment, the second is refused, not lost.
        let lock = isShared ? nil : try FileLock.acquire(layout.keyringLockPath)
        defer { withExtendedLifetime(lock) {} }
        try refreshKeyring()
        var ring = keyring
        try change(&ring)
        try keyProvider.save(ring)
        let stamp = keyProvider.stamp()
        keyringState.withLock { $0 = (ring, stamp) }
        dataKeys.removeAll()
        return ring
    }

    /// Removes blobs that no document references (left by a crash between the blob's fsync and
    /// the metadata commit) and unfinished temp files. Returns how many were removed.
    @discardableResult
    public func sweepOrphanBlobs() throws -> Int {
        try blobs.sweepOrphans(referenced: try records.referencedBlobIDs())
    }

    // MARK: Citizens

    /// Creates a citizen with a fresh data key wrapped under the primary KEK. The mobile number
    /// is kept only as a keyed hash and sealed under the citizen's own data key.
    public func makeCitizen(mobile: String, now: Date = Date()) throws -> CitizenRecord {
        // A rotation by the CLI takes effect for new citizens at once, not at the next poll.
        _ = try? refreshKeyring()
        let ring = keyring
        let id = SecureRandom.identifier()
        let dataKey = SymmetricKey(size: .bits256)
        let wrapped = try ring.wrapDataKey(dataKey, ownerID: id)
        let sealedMobile = try FieldSeal.seal(Array(mobile.utf8), key: dataKey, field: "mobile", ownerID: id)
        return CitizenRecord(
            id: id, mobileHash: Data(ring.lookupHash(mobile)), mobileSealed: Data(sealedMobile),
            dekWrapped: Data(wrapped.bytes), kekVersion: wrapped.kekVersion, dekVersion: 1, createdAt: now)
    }

    /// Keyed lookup hash of a mobile number.
    public func mobileHash(_ mobile: String) -> Data {
        Data(keyring.lookupHash(mobile))
    }

    /// Unwraps a citizen's data key. A record read before a rotation finished may name a KEK
    /// version this process has not loaded yet, or one retired since: then the keyring and the
    /// record are read again, and the key is returned only if it is still the same data key.
    public func dataKey(of citizen: CitizenRecord) throws -> SymmetricKey {
        if let key = dataKeys.key(citizenID: citizen.id, kekVersion: citizen.kekVersion, wrapped: citizen.dekWrapped) { return key }
        do {
            let key = try keyring.unwrapDataKey(citizen.wrappedDataKey, ownerID: citizen.id)
            dataKeys.store(key, citizenID: citizen.id, kekVersion: citizen.kekVersion, wrapped: citizen.dekWrapped)
            return key
        } catch {
            try refreshKeyring()
            guard let current = try records.citizen(id: citizen.id), current.dekVersion == citizen.dekVersion else { throw error }
            return try keyring.unwrapDataKey(current.wrappedDataKey, ownerID: current.id)
        }
    }

    /// The data key that opens `document`'s sealed parts. If the owner was rekeyed between the
    /// two reads (the owner may come from a session cache), both are read again together.
    public func dataKey(for document: DocumentRecord, owner: CitizenRecord) throws -> (document: DocumentRecord, key: SymmetricKey) {
        precondition(document.ownerID == owner.id, "document opened with the wrong owner")
        if document.dekVersion == owner.dekVersion, let key = try? dataKey(of: owner) { return (document, key) }
        let fresh = try records.document(id: document.id, owner: owner.id)
        guard let freshDocument = fresh.0, let freshOwner = fresh.1, freshDocument.dekVersion == freshOwner.dekVersion,
              freshDocument.blobID == document.blobID else { throw VaultCryptoError.authenticationFailed }
        return (freshDocument, try dataKey(of: freshOwner))
    }

    /// The citizen's mobile number, opened from its sealed copy.
    public func mobile(of citizen: CitizenRecord) throws -> String {
        let key = try dataKey(of: citizen)
        return String(decoding: try FieldSeal.open([UInt8](citizen.mobileSealed), key: key, field: "mobile", ownerID: citizen.id), as: UTF8.self)
    }

    // MARK: Documents

    /// Starts sealing a document's content into a new blob under a fresh content key.
    /// `dataKey`: the owner's data key if the caller already unwrapped it.
    public func beginDocument(owner: CitizenRecord, documentID: String, version: Int, segmentSize: Int = Envelope.defaultSegmentSize,
                              inlineLimit: Int = Vault.inlineBlobLimit, dataKey: SymmetricKey? = nil) throws -> DocumentWriter {
        let dataKey = try dataKey ?? self.dataKey(of: owner)
        let context = EnvelopeContext(ownerID: owner.id, documentID: documentID, keyVersion: UInt32(version))
        let contentKey = SymmetricKey(size: .bits256)
        let wrapped = try KeyWrap.wrap(contentKey, under: dataKey, aad: KeyWrap.contentKeyAAD(context: context))
        let sealer = try EnvelopeSealer(contentKey: contentKey, context: context, segmentSize: segmentSize)
        let blob = try blobs.create(inlineLimit: inlineLimit)
        return try DocumentWriter(blob: blob, sealer: sealer, contentKeyWrapped: Data(wrapped), dekVersion: owner.dekVersion)
    }

    /// Opens a document's content for streaming decryption.
    public func openDocument(_ document: DocumentRecord, owner: CitizenRecord) throws -> DocumentReader {
        let (document, dataKey) = try dataKey(for: document, owner: owner)
        let context = document.envelopeContext
        let contentKey = try KeyWrap.unwrap([UInt8](document.contentKeyWrapped), under: dataKey, aad: KeyWrap.contentKeyAAD(context: context))
        return try DocumentReader(blob: openBlob(document.blobID, plaintextSize: document.size), contentKey: contentKey, context: context)
    }

    /// Saves a document's row, with its sealed bytes when they are inline, in one transaction.
    public func saveDocument(_ record: DocumentRecord, inlineBytes: Data?) throws {
        try records.saveDocument(record, inlineBytes: inlineBytes)
    }

    /// Sealed documents up to this size live in the database (`SQLiteBlobStore`), larger ones in files.
    public static let inlineBlobLimit = 16 * 1024

    /// A document's sealed bytes: its file, or its row in `inlineBlobs` (`BlobStore.open`).
    func openBlob(_ id: String, plaintextSize: Int? = nil) throws -> any BlobReader {
        try blobs.open(id, plaintextSize: plaintextSize)
    }
}
