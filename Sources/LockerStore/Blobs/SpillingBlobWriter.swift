import Foundation
import GRDB

/// Small sealed documents (a 4 KB JSON credential) are kept in the database, in the same
/// transaction as the metadata row that references them, instead of in a file of their own. A
/// file costs two fsyncs (the file, then its folder) before the commit; a row rides on the group
/// commit's one fsync, shared by every push in the batch. Larger documents spill to a file as
/// before, once they pass `limit` sealed bytes.
public final class SpillingBlobWriter: BlobWriter {
    public let id: String
    private let limit: Int
    private let makeFile: (String) throws -> any BlobWriter
    private var buffer = [UInt8]()
    private var file: (any BlobWriter)?

    init(id: String, limit: Int, makeFile: @escaping (String) throws -> any BlobWriter) {
        self.id = id
        self.limit = limit
        self.makeFile = makeFile
    }

    /// Whether a blob that ends at `finalSize` bytes stays in memory (and so in the database).
    public func staysInline(finalSize: Int) -> Bool { file == nil && finalSize <= limit }

    /// The sealed bytes, if they stayed small enough to live in the database.
    public var inlineBytes: Data? { file == nil ? Data(buffer) : nil }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if let file { return try file.write(bytes) }
        if buffer.count + bytes.count <= limit {
            buffer.append(contentsOf: bytes)
            return
        }
        let spilled = try makeFile(id)
        do {
            try buffer.withUnsafeBytes { try spilled.write($0) }
            try spilled.write(bytes)
        } catch {
            spilled.abort()
            throw error
        }
        file = spilled
        buffer = []
    }

    public func sync() throws { try file?.sync() }
    public func commit() throws { try file?.commit() }
    public func abort() {
        file?.abort()
        buffer = []
    }
}
