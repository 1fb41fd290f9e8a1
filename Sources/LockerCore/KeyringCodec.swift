import Crypto
import Foundation

/// The keyring's on-disk form: JSON with each KEK in base64 and a check value, so a flipped bit
/// in a key is caught when the file is read rather than when a citizen's download fails.
public enum KeyringCodec {
    struct File: Codable {
        var format: Int
        var primaryVersion: Int
        var minDecryptionVersion: Int
        var indexKey: String
        var indexKeyCheck: String
        var keys: [Key]
        /// Absent in keyrings written before vault ids existed.
        var vaultID: String?
    }

    struct Key: Codable {
        var version: Int
        var key: String
        var check: String
        var createdAt: Date
    }

    /// Serialises a keyring.
    public static func encode(_ keyring: Keyring) throws -> [UInt8] {
        let keys = keyring.versions.map { v -> Key in
            let e = keyring.entries[v]!
            let raw = e.key.withUnsafeBytes { Data($0) }
            return Key(version: v, key: raw.base64EncodedString(), check: checkValue(e.key), createdAt: e.createdAt)
        }
        let file = File(format: 1, primaryVersion: keyring.primaryVersion, minDecryptionVersion: keyring.minDecryptionVersion,
            indexKey: keyring.indexKey.withUnsafeBytes { Data($0) }.base64EncodedString(), indexKeyCheck: checkValue(keyring.indexKey), keys: keys,
            vaultID: keyring.vaultID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return [UInt8](try encoder.encode(file))
    }

    /// Parses and checks a keyring; throws `KeyringError` naming the first problem.
    public static func decode(_ bytes: [UInt8]) throws -> Keyring {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let file: File
        do {
            file = try decoder.decode(File.self, from: Data(bytes))
        } catch {
            throw KeyringError.invalid("not a valid keyring file (unreadable JSON)")
        }
        guard file.format == 1 else { throw KeyringError.invalid("unknown keyring format \(file.format)") }
        let entries = try file.keys.map { k -> Keyring.Entry in
            guard let raw = Data(base64Encoded: k.key), raw.count == 32 else {
                throw KeyringError.invalid("key version \(k.version) is not 32 bytes of base64")
            }
            let key = SymmetricKey(data: raw)
            guard checkValue(key) == k.check else { throw KeyringError.invalid("key version \(k.version) fails its check value") }
            return Keyring.Entry(version: k.version, key: key, createdAt: k.createdAt)
        }
        guard let rawIndex = Data(base64Encoded: file.indexKey), rawIndex.count == 32 else {
            throw KeyringError.invalid("index key is not 32 bytes of base64")
        }
        let indexKey = SymmetricKey(data: rawIndex)
        guard checkValue(indexKey) == file.indexKeyCheck else { throw KeyringError.invalid("index key fails its check value") }
        if let id = file.vaultID { guard Validate.localID(id) else { throw KeyringError.invalid("vault id is malformed") } }
        var ring = try Keyring(entries: entries, primaryVersion: file.primaryVersion, minDecryptionVersion: file.minDecryptionVersion, indexKey: indexKey)
        ring.vaultID = file.vaultID
        return ring
    }

    /// First 8 bytes of HMAC-SHA256(key, "locker-kek-check"), hex. Reveals nothing useful about the key.
    static func checkValue(_ key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("locker-kek-check".utf8), using: key)
        return Hex.encode(Array(mac).prefix(8))
    }
}
