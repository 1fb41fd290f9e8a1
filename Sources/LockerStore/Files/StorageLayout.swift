import Foundation
import LockerCore

/// The folders under the storage root, created and checked once at start-up.
///
/// `Storage/db` holds SQLite, `Storage/blobs` the sealed documents (sharded into 256
/// sub-folders), `Storage/keys` the keyring (0700 folder, 0600 files), `Storage/outbox` the
/// embedded SMS outbox.
public struct StorageLayout: Sendable {
    /// Absolute storage root.
    public let root: String

    public init(root: String) {
        let url = URL(fileURLWithPath: root).standardizedFileURL
        self.root = url.path
    }

    public var databaseDirectory: String { root + "/db" }
    public var databasePath: String { databaseDirectory + "/locker.sqlite" }
    public var blobDirectory: String { root + "/blobs" }
    public var blobTempDirectory: String { blobDirectory + "/tmp" }
    public var keyDirectory: String { root + "/keys" }
    public var keyringPath: String { keyDirectory + "/keyring.json" }
    /// Held while the keyring is changed (rotate, retire, destroy).
    public var keyringLockPath: String { keyDirectory + "/keyring.lock" }
    /// Held by whoever is rewrapping data keys (`locker keys rotate` or `lockerd`'s watcher).
    public var rewrapLockPath: String { keyDirectory + "/rewrap.lock" }
    /// The first admin credential, written once at first start for the admin to collect.
    public var initialAdminCredentialPath: String { keyDirectory + "/admin-credential" }
    public var outboxDirectory: String { root + "/outbox" }

    /// Checks the root is a readable, writable folder and creates the sub-folders. Throws one
    /// clear `StoreError` naming the problem; never deletes or rewrites anything. Folders it
    /// creates are made durable (each new folder's parent is fsynced), so a power cut right after
    /// the first start cannot take back the folders and everything later written into them.
    public func prepare() throws {
        let fm = FileManager.default
        var created = [String]()
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: root, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StoreError("storage path \(root) is not a folder") }
        } else {
            var missing = root
            while !missing.isEmpty, missing != "/", !fm.fileExists(atPath: missing) {
                created.append(missing)
                missing = POSIXFile.parentDirectory(of: missing)
            }
            do {
                try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
            } catch {
                throw StoreError("cannot create storage folder \(root)")
            }
        }
        guard fm.isReadableFile(atPath: root), fm.isWritableFile(atPath: root), fm.isExecutableFile(atPath: root) else {
            throw StoreError("storage folder \(root) is not readable and writable by this user")
        }
        for (path, mode) in [(databaseDirectory, 0o700), (blobDirectory, 0o700), (blobTempDirectory, 0o700), (keyDirectory, 0o700), (outboxDirectory, 0o700)] {
            if try ensureDirectory(path, mode: mode) { created.append(path) }
        }
        for shard in 0..<256 {
            let path = blobDirectory + "/" + Hex.encode([UInt8(shard)])
            if try ensureDirectory(path, mode: 0o700) { created.append(path) }
        }
        // Deepest first; each parent once (the 256 shards share one).
        let parents = Set(created.map { POSIXFile.parentDirectory(of: $0) })
        for parent in parents.sorted(by: { $0.count > $1.count }) {
            try POSIXFile.fsyncDirectory(parent)
        }
    }

    /// Creates `path` unless it is there; true when it created it.
    private func ensureDirectory(_ path: String, mode: Int) throws -> Bool {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StoreError("\(path) exists but is not a folder") }
            guard fm.isWritableFile(atPath: path), fm.isReadableFile(atPath: path) else {
                throw StoreError("folder \(path) is not readable and writable by this user")
            }
            return false
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw StoreError("cannot create folder \(path)")
        }
        return true
    }
}


