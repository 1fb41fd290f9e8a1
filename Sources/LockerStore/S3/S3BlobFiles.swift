import Foundation
import LockerCore

/// The large half of a `BlobStore` in an S3-compatible bucket: each spilled blob is one object
/// under an opaque key `blobs/<random blob id>` (no document id, owner or type in it). Small
/// blobs stay inline in the database as before.
public struct S3BlobFiles: BlobFiles {
    /// The store's client.
    public let client: S3Client
    let tempDirectory: String
    static let prefix = "blobs/"

    /// Blobs in `client`'s bucket; `tempDirectory` holds the unlinked temp files of PUTs under way.
    public init(client: S3Client, tempDirectory: String) {
        self.client = client
        self.tempDirectory = tempDirectory
    }

    func key(of id: String) throws -> String {
        // Ids are ours (random hex), but a corrupted row must still never name another key.
        guard id.count == 32, id.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
            throw StoreError("invalid blob id")
        }
        return Self.prefix + id
    }

    public func create(id: String) throws -> any BlobWriter {
        try S3BlobWriter(id: id, key: key(of: id), client: client, tempDirectory: tempDirectory)
    }

    public func open(_ id: String) throws -> any BlobReader {
        try S3BlobReader(client: client, key: key(of: id))
    }

    public func remove(_ id: String) throws {
        try client.delete(key: key(of: id))
    }

    public func allIDs() throws -> [String] {
        try objects().map(\.id)
    }

    /// Objects last written more than the grace period ago: a push between its PUT and its
    /// row's commit is never mistaken for an orphan.
    public func orphanCandidates() throws -> [String] {
        let cutoff = Date().addingTimeInterval(-TimeInterval(client.location.graceSeconds))
        return try objects().filter { $0.modified < cutoff }.map(\.id)
    }

    /// Temp files are unlinked as soon as they are opened: nothing to clean.
    public func removeTemporaries() throws -> Int { 0 }

    /// Whether this blob store is across a network (downloads then read off the request loops).
    public var isRemote: Bool { true }

    func objects() throws -> [(id: String, modified: Date)] {
        var out = [(id: String, modified: Date)]()
        var token: String?
        repeat {
            let page = try client.list(prefix: Self.prefix, continuation: token)
            out += page.objects.map { (String($0.key.dropFirst(Self.prefix.count)), $0.modified) }
            token = page.next
        } while token != nil
        return out
    }
}
