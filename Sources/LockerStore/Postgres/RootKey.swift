import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerCore

/// The key every node of a PostgreSQL deployment is given (`--root-key-file`): it seals the key
/// ring stored in the database, so a copy of the database alone opens nothing.
public enum RootKey {
    /// Reads the file: exactly 32 bytes (or 64 hex digits and an optional newline), readable by
    /// its owner only. Every refusal names the file and what to do.
    public static func load(path: String) throws -> SymmetricKey {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError("root key file \(path) does not exist (create one with: head -c 32 /dev/urandom > \(path); chmod 600 \(path))") }
        guard info.st_mode & 0o077 == 0 else {
            throw StoreError("root key file \(path) is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError("cannot read root key file \(path)") }
        if data.count == 32 { return SymmetricKey(data: data) }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count == 64, let bytes = Hex.decode(text) { return SymmetricKey(data: bytes) }
        throw StoreError("root key file \(path) must hold exactly 32 bytes (or 64 hex digits); it holds \(data.count) bytes")
    }
}
