import Crypto
import Foundation
import LockerCore

/// Streams plaintext into a sealed blob: buffers at most one segment, seals it, writes it.
/// Plaintext never reaches the file system; only sealed segments do.
///
/// `@unchecked Sendable`: a writer belongs to one push. The request task feeds it, then hands
/// it to an I/O thread for the final fsync and rename while the task awaits; it is never used
/// from two threads at the same time.
public final class DocumentWriter: @unchecked Sendable {
    /// The blob the content goes to.
    public var blobID: String { blob.id }
    /// The content key, wrapped under the owner's data key.
    public let contentKeyWrapped: Data
    /// The owner's data-key version that wrapped it.
    public let dekVersion: Int
    /// The sealed bytes when they are small enough to be stored in the database with the
    /// document's row (see `SpillingBlobWriter`); nil when they went to a file.
    public var inlineBytes: Data? { (blob as? SpillingBlobWriter)?.inlineBytes }
    /// Plaintext bytes written so far.
    public private(set) var size = 0

    private let blob: any BlobWriter
    private var sealer: EnvelopeSealer
    private var pending: [UInt8] = []
    private var sealed: [UInt8] = []
    private var hasher = SHA256()
    private var done = false

    init(blob: any BlobWriter, sealer: EnvelopeSealer, contentKeyWrapped: Data, dekVersion: Int) throws {
        self.blob = blob
        self.sealer = sealer
        self.contentKeyWrapped = contentKeyWrapped
        self.dekVersion = dekVersion
        pending.reserveCapacity(sealer.segmentSize)
        sealed.reserveCapacity(sealer.segmentSize + Envelope.tagSize)
        do {
            try sealer.header.withUnsafeBytes { try blob.write($0) }
        } catch {
            blob.abort()
            throw error
        }
    }

    /// Appends plaintext. A full segment is sealed only once a byte beyond it arrives, because
    /// the last segment must carry the final flag.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!done)
        hasher.update(bufferPointer: bytes)
        size += bytes.count
        var offset = 0
        let segmentSize = sealer.segmentSize
        while offset < bytes.count {
            if pending.count == segmentSize {
                try flush(isFinal: false)
            }
            let take = min(segmentSize - pending.count, bytes.count - offset)
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            offset += take
        }
    }

    /// Convenience for in-memory content.
    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }

    private func flush(isFinal: Bool) throws {
        sealed.removeAll(keepingCapacity: true)
        try pending.withUnsafeBytes { try sealer.sealSegment($0, isFinal: isFinal, into: &sealed) }
        try sealed.withUnsafeBytes { try blob.write($0) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Whether `finish()` will write, fsync or rename a file (false when the sealed document
    /// will live inline in the database): only then is it worth moving to a blocking-I/O thread.
    public var finishTouchesDisk: Bool {
        guard let spilling = blob as? SpillingBlobWriter else { return true }
        let finalSize = Envelope.sealedSize(plaintextSize: size, segmentSize: sealer.segmentSize)
        return !spilling.staysInline(finalSize: finalSize)
    }

    /// SHA-256 of the plaintext appended so far (the writer stays usable).
    public func digestSoFar() -> Data {
        Data(hasher.finalize())
    }

    /// Seals the final segment and fsyncs the file, without making it visible yet. Group
    /// commit calls this before the rename, so many blobs can be synced in parallel.
    public func seal() throws -> (size: Int, sha256: Data) {
        precondition(!done)
        try flush(isFinal: true)
        try blob.sync()
        done = true
        return (size, Data(hasher.finalize()))
    }

    /// Makes the blob durable under its id (rename + directory fsync). Call before the
    /// metadata commit that references it.
    public func commit() throws {
        try blob.commit()
    }

    /// Seals, syncs and commits in one step; returns plaintext size and SHA-256.
    public func finish() throws -> (size: Int, sha256: Data) {
        let result = try seal()
        try commit()
        return result
    }

    /// Discards the unfinished blob.
    public func abort() {
        blob.abort()
    }
}
