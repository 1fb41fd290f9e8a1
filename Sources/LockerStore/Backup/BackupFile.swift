import Crypto
import Foundation
import Glibc
import LockerCore

/// Copying and hashing files for backups: each copy is written to its final name's folder,
/// fsynced, and hashed as it is read, so the manifest names what was actually written.
enum BackupFile {
    static let chunk = 1 << 20

    /// Copies `source` to `target` (created exclusively, mode 0600) and fsyncs it; nil if the
    /// source is gone. Returns the manifest entry under `name`.
    static func copy(_ source: String, to target: String, name: String) throws -> BackupManifest.File? {
        let input = Glibc.open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            if errno == ENOENT { return nil }
            throw StoreError("cannot read \(source): \(POSIXFile.errnoText())")
        }
        defer { close(input) }
        let output = try POSIXFile.open(target, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        defer { close(output) }
        var hasher = SHA256()
        var size = 0
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError("cannot read \(source): \(POSIXFile.errnoText())")
            }
            if n == 0 { break }
            try buffer.withUnsafeBytes { try POSIXFile.writeAll(output, UnsafeRawBufferPointer(rebasing: $0[0..<n]), path: target) }
            hasher.update(data: buffer[0..<n])
            size += n
        }
        try POSIXFile.fsync(output, path: target)
        return BackupManifest.File(path: name, size: size, sha256: Hex.encode(Array(hasher.finalize())))
    }

    /// The size and SHA-256 of a file, read in chunks; nil if it is missing.
    static func digest(_ path: String) throws -> (size: Int, sha256: String)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let data = try handle.read(upToCount: chunk), !data.isEmpty {
            hasher.update(data: data)
            size += data.count
        }
        return (size, Hex.encode(Array(hasher.finalize())))
    }

    /// Creates `path` (and parents) with mode 0700.
    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create folder \(path)")
        }
    }

    /// True if `path` does not exist or is an empty folder.
    static func isAbsentOrEmpty(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return true }
        return isDirectory.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: path).isEmpty) ?? false)
    }
}
