import Crypto
import Foundation
import LockerCore
import Synchronization

/// The encrypted vault: keyring, metadata and sealed blobs behind one object.
///
/// Everything that turns plaintext into something stored (or back) goes through here, so the
/// rule "no plaintext at rest" has one place to hold.
public final class Vault: Sendable {
    /// The folders in use.
    public let layout: StorageLayout
    /// The metadata database.
    public let database: LockerDatabase
    public let citizens: any CitizenRepository
    public let documents: any DocumentRepository
    public let blobs: any BlobStore
    let keyProvider: any KeyProvider
    private let keyringState: Mutex<Keyring>

    /// Opens the vault under `layout`: checks the folders, loads (or, on a first start, creates)
    /// the keyring, opens and migrates the database. Throws one `StoreError` naming the problem
    /// before anything is written if the folder, keyring or database is unusable.
    public static func open(layout: StorageLayout, keyProvider: (any KeyProvider)? = nil) throws -> Vault {
        try layout.prepare()
        let provider = keyProvider ?? FileKeyProvider(layout: layout)
        let databaseExists = FileManager.default.fileExists(atPath: layout.databasePath)
        if !provider.exists() && databaseExists {
            throw StoreError("keyring missing at \(layout.keyringPath) but database \(layout.databasePath) exists; refusing to create new keys (stored documents would be unreadable)")
        }
        let keyring = try provider.load(createIfMissing: true)
        let database = try LockerDatabase(path: layout.databasePath)
        return Vault(layout: layout, database: database, keyProvider: provider, keyring: keyring)
    }

    init(layout: StorageLayout, database: LockerDatabase, keyProvider: any KeyProvider, keyring: Keyring) {
        self.layout = layout
        self.database = database
        self.citizens = SQLiteCitizenRepository(database: database)
        self.documents = SQLiteDocumentRepository(database: database)
        self.blobs = FileBlobStore(layout: layout)
        self.keyProvider = keyProvider
        self.keyringState = Mutex(keyring)
    }

    /// The keyring in use.
    public var keyring: Keyring { keyringState.withLock { $0 } }

    /// Removes blobs that no document references (left by a crash between the blob's fsync and
    /// the metadata commit) and unfinished temp files. Returns how many were removed.
    @discardableResult
    public func sweepOrphanBlobs() throws -> Int {
        var removed = try blobs.removeTemporaries()
        let referenced = try documents.referencedBlobIDs()
        for id in try blobs.allIDs() where !referenced.contains(id) {
            try blobs.remove(id)
            removed += 1
        }
        return removed
    }

    // MARK: Citizens

    /// Creates a citizen with a fresh data key wrapped under the primary KEK. The mobile number
    /// is kept only as a keyed hash and sealed under the citizen's own data key.
    public func makeCitizen(mobile: String, now: Date = Date()) throws -> CitizenRecord {
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

    /// Unwraps a citizen's data key.
    public func dataKey(of citizen: CitizenRecord) throws -> SymmetricKey {
        try keyring.unwrapDataKey(citizen.wrappedDataKey, ownerID: citizen.id)
    }

    /// The citizen's mobile number, opened from its sealed copy.
    public func mobile(of citizen: CitizenRecord) throws -> String {
        let key = try dataKey(of: citizen)
        return String(decoding: try FieldSeal.open([UInt8](citizen.mobileSealed), key: key, field: "mobile", ownerID: citizen.id), as: UTF8.self)
    }

    // MARK: Documents

    /// Starts sealing a document's content into a new blob under a fresh content key.
    public func beginDocument(owner: CitizenRecord, documentID: String, version: Int, segmentSize: Int = Envelope.defaultSegmentSize) throws -> DocumentWriter {
        let dataKey = try dataKey(of: owner)
        let context = EnvelopeContext(ownerID: owner.id, documentID: documentID, keyVersion: UInt32(version))
        let contentKey = SymmetricKey(size: .bits256)
        let wrapped = try KeyWrap.wrap(contentKey, under: dataKey, aad: KeyWrap.contentKeyAAD(context: context))
        let sealer = try EnvelopeSealer(contentKey: contentKey, context: context, segmentSize: segmentSize)
        return try DocumentWriter(blob: blobs.create(), sealer: sealer, contentKeyWrapped: Data(wrapped), dekVersion: owner.dekVersion)
    }

    /// Opens a document's content for streaming decryption.
    public func openDocument(_ document: DocumentRecord, owner: CitizenRecord) throws -> DocumentReader {
        precondition(document.ownerID == owner.id, "document opened with the wrong owner")
        let dataKey = try dataKey(of: owner)
        let context = document.envelopeContext
        let contentKey = try KeyWrap.unwrap([UInt8](document.contentKeyWrapped), under: dataKey, aad: KeyWrap.contentKeyAAD(context: context))
        return try DocumentReader(blob: blobs.open(document.blobID), contentKey: contentKey, context: context)
    }
}
