import Foundation
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

    public func save(_ keyring: Keyring) throws {
        try POSIXFile.writeAtomically(KeyringCodec.encode(keyring), to: path, mode: 0o600)
    }
}
