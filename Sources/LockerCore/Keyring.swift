import Crypto
import Foundation

/// The versioned key-encryption keys (KEKs), as HashiCorp Vault's transit engine keeps them:
/// new data keys are wrapped under the primary; any version at or above `minDecryptionVersion`
/// still unwraps; versions below it are retired and may be destroyed.
public struct Keyring: Sendable {
    /// One KEK version.
    public struct Entry: Sendable {
        public var version: Int
        public var key: SymmetricKey
        public var createdAt: Date

        public init(version: Int, key: SymmetricKey, createdAt: Date) {
            self.version = version
            self.key = key
            self.createdAt = createdAt
        }
    }

    /// Present versions, by number. A destroyed version is absent.
    public private(set) var entries: [Int: Entry]
    /// The version that wraps every new data key.
    public private(set) var primaryVersion: Int
    /// Versions below this refuse to unwrap.
    public private(set) var minDecryptionVersion: Int
    /// Key for keyed lookup hashes (mobile numbers). Never rotated with the KEKs: rotating it
    /// would orphan every lookup hash.
    public let indexKey: SymmetricKey
    /// The vault this keyring belongs to (recorded in its database too, see `VaultIdentity`).
    /// Nil only in a keyring written before vault ids existed, until the vault next opens.
    public var vaultID: String?

    /// Builds a keyring and checks it is coherent.
    public init(entries: [Entry], primaryVersion: Int, minDecryptionVersion: Int, indexKey: SymmetricKey) throws {
        guard indexKey.bitCount == 256 else { throw KeyringError.invalid("index key is not 256 bits") }
        var byVersion = [Int: Entry]()
        for entry in entries {
            guard entry.version >= 1, entry.key.bitCount == 256 else { throw KeyringError.invalid("bad key version \(entry.version)") }
            guard byVersion.updateValue(entry, forKey: entry.version) == nil else { throw KeyringError.invalid("version \(entry.version) appears twice") }
        }
        guard byVersion[primaryVersion] != nil else { throw KeyringError.invalid("primary version \(primaryVersion) is missing") }
        guard minDecryptionVersion >= 1, minDecryptionVersion <= primaryVersion else {
            throw KeyringError.invalid("minimum decryption version \(minDecryptionVersion) is not in 1...\(primaryVersion)")
        }
        self.entries = byVersion
        self.primaryVersion = primaryVersion
        self.minDecryptionVersion = minDecryptionVersion
        self.indexKey = indexKey
    }

    /// A fresh keyring holding KEK v1.
    public static func generate(now: Date = Date()) -> Keyring {
        var ring = try! Keyring(entries: [Entry(version: 1, key: SymmetricKey(size: .bits256), createdAt: now)], primaryVersion: 1, minDecryptionVersion: 1, indexKey: SymmetricKey(size: .bits256))
        ring.vaultID = SecureRandom.identifier()
        return ring
    }

    /// A check value binding `vaultID` to this keyring's index key (which is never rotated): a
    /// database records it, so a keyring from another vault is recognised before it is used.
    public func identityCheck(vaultID: String) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("locker-vault-identity-v1".utf8) + [0] + Array(vaultID.utf8), using: indexKey)
        return Array(Array(mac).prefix(16))
    }

    /// Keyed hash of an identifier (a mobile number) for lookups without storing it.
    public func lookupHash(_ value: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: indexKey))
    }

    /// Versions present, ascending.
    public var versions: [Int] { entries.keys.sorted() }

    /// The key for `version`, if present and not retired.
    public func decryptionKey(version: Int) throws -> SymmetricKey {
        guard version >= minDecryptionVersion, let entry = entries[version] else { throw VaultCryptoError.unknownKeyVersion(version) }
        return entry.key
    }

    /// Wraps a citizen's data key under the primary KEK.
    public func wrapDataKey(_ dataKey: SymmetricKey, ownerID: String, nonce: AES.GCM.Nonce = AES.GCM.Nonce()) throws -> WrappedKey {
        let kek = entries[primaryVersion]!.key
        let bytes = try KeyWrap.wrap(dataKey, under: kek, aad: KeyWrap.dataKeyAAD(ownerID: ownerID, kekVersion: primaryVersion), nonce: nonce)
        return WrappedKey(kekVersion: primaryVersion, bytes: bytes)
    }

    /// Unwraps a citizen's data key; refuses unknown or retired versions and any tampering.
    public func unwrapDataKey(_ wrapped: WrappedKey, ownerID: String) throws -> SymmetricKey {
        let kek = try decryptionKey(version: wrapped.kekVersion)
        return try KeyWrap.unwrap(wrapped.bytes, under: kek, aad: KeyWrap.dataKeyAAD(ownerID: ownerID, kekVersion: wrapped.kekVersion))
    }

    /// Adds KEK v(n+1) and makes it primary. Returns the new version.
    @discardableResult
    public mutating func rotate(now: Date = Date()) -> Int {
        let next = (entries.keys.max() ?? 0) + 1
        entries[next] = Entry(version: next, key: SymmetricKey(size: .bits256), createdAt: now)
        primaryVersion = next
        return next
    }

    /// Raises the minimum decryption version (never above the primary, never down).
    public mutating func retire(below version: Int) throws {
        guard version <= primaryVersion else { throw KeyringError.invalid("cannot retire the primary version \(primaryVersion)") }
        minDecryptionVersion = max(minDecryptionVersion, version)
    }

    /// Removes the material of a retired version.
    public mutating func destroy(version: Int) throws {
        guard version < minDecryptionVersion else { throw KeyringError.invalid("version \(version) is not retired") }
        entries[version] = nil
    }
}
