import Crypto
import Foundation
import LockerCore
import NIOCore

/// Decrypts a sealed blob one segment at a time, for streaming into a response. A segment's
/// plaintext is released only after its tag verifies; a truncated, extended or reordered blob
/// fails at the segment where it breaks.
///
/// `@unchecked Sendable`: a reader is created by a request handler and then handed, once, to
/// that request's response-body writer; it is never used by two tasks at the same time.
public final class DocumentReader: @unchecked Sendable {
    /// Plaintext size, known from the blob's length before anything is decrypted.
    public let plaintextSize: Int
    /// Number of segments.
    public let segmentCount: Int

    private let blob: any BlobReader
    private let opener: EnvelopeOpener
    private let layout: SegmentLayout
    private var nextIndex = 0
    private var offset = Envelope.headerSize
    /// Sealed bytes read from the blob; sized on first use, never zero-filled (every byte used
    /// is read from the blob first).
    private var buffer = [UInt8]()
    /// OpenSSL's context for `nextSegments(maxSealedBytes:into:)`, made on first use.
    private var decryptor: SegmentDecryptor?

    init(blob: any BlobReader, contentKey: SymmetricKey, context: EnvelopeContext) throws {
        self.blob = blob
        var header = [UInt8](repeating: 0, count: Envelope.headerSize)
        let n = try header.withUnsafeMutableBytes { try blob.read(into: $0, count: Envelope.headerSize, at: 0) }
        guard n == Envelope.headerSize else { throw VaultCryptoError.badLength }
        opener = try EnvelopeOpener(header: header, contentKey: contentKey, context: context)
        layout = try SegmentLayout(bodyLength: blob.size - Envelope.headerSize, segmentSize: opener.segmentSize)
        plaintextSize = try Envelope.plaintextSize(sealedSize: blob.size, segmentSize: opener.segmentSize)
        segmentCount = layout.count
    }

    deinit { blob.close() }

    /// Appends the next segment's plaintext to `out`; returns false once every segment is out.
    /// On a segment that fails to verify, `out` is left as it was.
    public func nextSegment(into out: inout [UInt8]) throws -> Bool {
        try nextSegments(maxSealedBytes: 0) { out.append(contentsOf: $0) }
    }

    /// Verifies the next segments and hands each one's plaintext to `sink`, reading them from
    /// the blob in one read of at most `maxSealedBytes` (always at least one segment). Returns
    /// false once every segment is out. Fewer, larger reads: a 100 KB document is one `pread`.
    public func nextSegments(maxSealedBytes: Int, _ sink: (Data) throws -> Void) throws -> Bool {
        try nextSealedRun(maxSealedBytes: maxSealedBytes) { raw, index in
            try sink(try opener.openSegment(raw, index: UInt32(index), isFinal: index == layout.count - 1))
        }
    }

    /// The download path: like `nextSegments(maxSealedBytes:_:)`, but each verified segment's
    /// plaintext is decrypted straight into `out` (the response), with no copy in between. A
    /// segment that fails leaves `out` as it was and no plaintext of it anywhere.
    public func nextSegments(maxSealedBytes: Int, into out: inout ByteBuffer) throws -> Bool {
        let decryptor = try self.decryptor ?? opener.decryptor()
        self.decryptor = decryptor
        return try nextSealedRun(maxSealedBytes: maxSealedBytes) { raw, index in
            let length = raw.count - Envelope.tagSize
            out.reserveCapacity(minimumWritableBytes: length)
            try out.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { free in
                try decryptor.open(raw, index: UInt32(index), isFinal: index == layout.count - 1, into: free)
            }
        }
    }

    /// Reads the next run of whole segments (at most `maxSealedBytes`, at least one) in one read
    /// and hands each sealed segment with its index to `open`; false once every segment is out.
    private func nextSealedRun(maxSealedBytes: Int, _ open: (UnsafeRawBufferPointer, Int) throws -> Void) throws -> Bool {
        guard nextIndex < layout.count else {
            blob.close()
            return false
        }
        var end = nextIndex
        var length = 0
        while end < layout.count {
            let next = layout.sealedLength(ofSegment: end)
            if length > 0 && length + next > maxSealedBytes { break }
            length += next
            end += 1
        }
        reserve(length)
        let got = try buffer.withUnsafeMutableBytes { try blob.read(into: $0, count: length, at: offset) }
        guard got == length else { throw VaultCryptoError.badLength }
        try buffer.withUnsafeBytes { raw in
            var at = 0
            for index in nextIndex..<end {
                let segmentLength = layout.sealedLength(ofSegment: index)
                try open(UnsafeRawBufferPointer(rebasing: raw[at..<(at + segmentLength)]), index)
                at += segmentLength
            }
        }
        offset += length
        nextIndex = end
        return true
    }

    /// Makes `buffer` at least `length` bytes long without zero-filling it.
    private func reserve(_ length: Int) {
        guard buffer.count < length else { return }
        buffer = [UInt8](unsafeUninitializedCapacity: length) { _, count in count = length }
    }

    /// Reads the whole document into memory (tests and small documents only).
    public func readAll() throws -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(plaintextSize)
        while try nextSegment(into: &out) {}
        return out
    }
}
