import Crypto
import Foundation
import Testing
@testable import LockerCore

/// The download path's OpenSSL decryptor must give exactly what swift-crypto's opener gives, and
/// refuse exactly what it refuses, leaving no plaintext of a refused segment behind.
@Suite("Segment decryptor (OpenSSL, into the response buffer)")
struct SegmentDecryptorTests {
    let key = SymmetricKey(size: .bits256)
    let context = EnvelopeContext(ownerID: "owner-a", documentID: "doc-1", keyVersion: 1)
    let segmentSize = 4096

    /// Opens every segment of `sealed` with the decryptor; throws at the first refusal.
    func openAll(_ sealed: [UInt8], context: EnvelopeContext? = nil, out: inout [UInt8]) throws {
        let opener = try EnvelopeOpener(header: sealed[0..<Envelope.headerSize], contentKey: key, context: context ?? self.context)
        let decryptor = try opener.decryptor()
        let layout = try SegmentLayout(bodyLength: sealed.count - Envelope.headerSize, segmentSize: opener.segmentSize)
        out = [UInt8](repeating: 0xAA, count: sealed.count)
        var at = Envelope.headerSize, written = 0
        for index in 0..<layout.count {
            let length = layout.sealedLength(ofSegment: index)
            let n = try sealed.withUnsafeBytes { raw in
                try out.withUnsafeMutableBytes { o in
                    try decryptor.open(UnsafeRawBufferPointer(rebasing: raw[at..<(at + length)]), index: UInt32(index),
                                       isFinal: index == layout.count - 1, into: UnsafeMutableRawBufferPointer(rebasing: o[written...]))
                }
            }
            at += length
            written += n
        }
        out.removeLast(out.count - written)
    }

    @Test("gives the same plaintext as the swift-crypto opener", arguments: [0, 1, 4095, 4096, 4097, 3 * 4096 + 17])
    func sameAsOpener(size: Int) throws {
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 5) }
        let sealed = try Envelope.seal(plaintext, contentKey: key, context: context, segmentSize: segmentSize)
        var out = [UInt8]()
        try openAll(sealed, out: &out)
        #expect(out == plaintext)
        #expect(out == (try Envelope.open(sealed, contentKey: key, context: context)))
    }

    @Test("every flipped byte of a segment or tag is refused, and the refused segment's output is zeroed")
    func flippedBytesAreRefused() throws {
        let plaintext = [UInt8](repeating: 0x5A, count: 2 * segmentSize + 100)
        let sealed = try Envelope.seal(plaintext, contentKey: key, context: context, segmentSize: segmentSize)
        for position in Envelope.headerSize..<sealed.count {
            var damaged = sealed
            damaged[position] ^= 0x01
            var out = [UInt8]()
            #expect(throws: VaultCryptoError.self, "flipped byte \(position) was accepted") { try openAll(damaged, out: &out) }
            // The segment that failed was written to `out` at its place and must be all zero now.
            let segment = (position - Envelope.headerSize) / (segmentSize + Envelope.tagSize)
            let start = segment * segmentSize
            let length = min(segmentSize, plaintext.count - start)
            #expect(out[start..<(start + length)].allSatisfy { $0 == 0 }, "plaintext of a refused segment left behind at \(position)")
        }
    }

    @Test("a blob opened as another document, or with a truncated last segment, is refused")
    func movedOrTruncatedIsRefused() throws {
        let sealed = try Envelope.seal([UInt8](repeating: 1, count: 5000), contentKey: key, context: context, segmentSize: segmentSize)
        var out = [UInt8]()
        #expect(throws: VaultCryptoError.self) {
            try openAll(sealed, context: EnvelopeContext(ownerID: "owner-a", documentID: "doc-2", keyVersion: 1), out: &out)
        }
        #expect(throws: VaultCryptoError.self) { try openAll(Array(sealed.dropLast(1)), out: &out) }
    }
}
