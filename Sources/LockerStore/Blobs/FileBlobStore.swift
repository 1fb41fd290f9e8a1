import Glibc
import Foundation
import LockerCore

/// Blobs as files under `Storage/blobs/XX/ID`, written temp → fsync → rename → directory fsync.
public struct FileBlobStore: BlobFiles {
    let layout: StorageLayout

    public init(layout: StorageLayout) {
        self.layout = layout
    }

    func path(of id: String) throws -> String {
        // Ids are ours (random hex), but a corrupted row must still never reach outside the folder.
        guard id.count == 32, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw StoreError("invalid blob id")
        }
        return "\(layout.blobDirectory)/\(id.prefix(2))/\(id)"
    }

    public func create(id: String) throws -> any BlobWriter {
        let final = try path(of: id)
        let temp = "\(layout.blobTempDirectory)/\(id).tmp"
        let fd = try POSIXFile.open(temp, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        return FileBlobWriter(id: id, fd: fd, tempPath: temp, finalPath: final)
    }

    public func open(_ id: String) throws -> any BlobReader {
        let path = try path(of: id)
        let fd = try POSIXFile.open(path, O_RDONLY)
        do {
            let size = try POSIXFile.fileSize(fd, path: path)
            return FileBlobReader(fd: fd, path: path, size: size)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    public func remove(_ id: String) throws {
        let path = try path(of: id)
        if unlink(path) != 0 && errno != ENOENT {
            throw StoreError("cannot remove blob \(path): \(POSIXFile.errnoText())")
        }
    }

    public func allIDs() throws -> [String] {
        let fm = FileManager.default
        var ids = [String]()
        for shard in 0..<256 {
            let dir = layout.blobDirectory + "/" + Hex.encode([UInt8(shard)])
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            ids.append(contentsOf: names)
        }
        return ids
    }

    public func removeTemporaries() throws -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.blobTempDirectory)) ?? []
        for name in names {
            unlink(layout.blobTempDirectory + "/" + name)
        }
        return names.count
    }
}
