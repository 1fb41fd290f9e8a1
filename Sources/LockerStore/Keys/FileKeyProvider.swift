import Foundation
import Glibc
import LockerCore

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
