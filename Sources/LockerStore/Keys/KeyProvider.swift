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
