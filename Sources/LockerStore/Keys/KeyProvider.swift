import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerCore

/// Where the KEKs come from. Files under `Storage/keys` by default; an HSM (PKCS#11) provider
/// can take this seam later without the vault noticing.
public protocol KeyProvider: Sendable {
    /// Loads the keyring, creating it on first start if `createIfMissing` and none exists.
    func load(createIfMissing: Bool) throws -> Keyring
    /// Persists the keyring durably; returns only once it would survive a power cut.
    func save(_ keyring: Keyring) throws
    /// Whether a keyring exists at all.
    func exists() -> Bool
    /// Something that changes whenever the stored keyring does (so a running server can notice
    /// a rotation made by the CLI without re-reading the keys each time); nil if unknown.
    func stamp() -> String?
}

/// Keyring in `Storage/keys/keyring.json`, mode 0600, replaced atomically on every change.
public struct FileKeyProvider: KeyProvider {
    /// Path of the keyring file.
    public let path: String

    public init(layout: StorageLayout) {
        self.path = layout.keyringPath
    }

    public init(path: String) {
        self.path = path
    }

    public func exists() -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    public func load(createIfMissing: Bool) throws -> Keyring {
        guard exists() else {
            guard createIfMissing else { throw StoreError("no keyring at \(path)") }
            let keyring = Keyring.generate()
            try save(keyring)
            return keyring
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw StoreError("cannot read keyring \(path)")
        }
        do {
            return try KeyringCodec.decode(bytes)
        } catch let error as KeyringError {
            throw StoreError("corrupt keyring \(path): \(error)")
        }
    }

    /// Inode, size and modification time: `save` replaces the file by rename, so any change
    /// gives a new inode.
    public func stamp() -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_ino)-\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    public func save(_ keyring: Keyring) throws {
        try POSIXFile.writeAtomically(KeyringCodec.encode(keyring), to: path, mode: 0o600)
    }
}
