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
    /// clear `StoreError` naming the problem; never deletes or rewrites anything.
    public func prepare() throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: root, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StoreError("storage path \(root) is not a folder") }
        } else {
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
            try ensureDirectory(path, mode: mode)
        }
        for shard in 0..<256 {
            try ensureDirectory(blobDirectory + "/" + Hex.encode([UInt8(shard)]), mode: 0o700)
        }
    }

    private func ensureDirectory(_ path: String, mode: Int) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StoreError("\(path) exists but is not a folder") }
            guard fm.isWritableFile(atPath: path), fm.isReadableFile(atPath: path) else {
                throw StoreError("folder \(path) is not readable and writable by this user")
            }
            return
        }
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
        } catch {
            throw StoreError("cannot create folder \(path)")
        }
    }
}


