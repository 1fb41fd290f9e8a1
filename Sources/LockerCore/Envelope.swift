import Crypto
import Foundation

/// Locker's segmented streaming-AEAD format (see `docs/envelope-format.md`).
///
/// A blob is a 36-byte header followed by segments of `segmentSize` plaintext bytes, each sealed
/// with AES-256-GCM under a per-blob key derived from the content key and the header's salt. The
/// nonce carries the segment index and a final-segment flag, so truncation, reordering and
/// extension all fail authentication.
public enum Envelope {
    /// The four bytes every blob starts with.
    public static let magic: [UInt8] = Array("LKRE".utf8)
    /// The only format version this build writes and reads.
    public static let formatVersion: UInt8 = 1
    /// Algorithm byte for AES-256-GCM with HKDF-SHA256 segment-key derivation.
    public static let algorithmAES256GCM: UInt8 = 1
    /// Header length in bytes.
    public static let headerSize = 36
    /// GCM tag length appended to each segment.
    public static let tagSize = 16
    /// Default plaintext bytes per segment.
    public static let defaultSegmentSize = 64 * 1024
    /// Accepted segment sizes: small enough to bound memory, large enough to keep tags cheap.
    public static let segmentSizeRange = 4096...(4 * 1024 * 1024)

    static let saltSize = 16
    static let noncePrefixSize = 7

    /// Length of the sealed blob for a plaintext of `plaintextSize` bytes.
    public static func sealedSize(plaintextSize: Int, segmentSize: Int = defaultSegmentSize) -> Int {
        let segments = max(1, (plaintextSize + segmentSize - 1) / segmentSize)
        return headerSize + plaintextSize + segments * tagSize
    }

    /// Plaintext length of a sealed blob of `sealedSize` bytes, or `badLength` if no valid blob
    /// has that size.
    public static func plaintextSize(sealedSize: Int, segmentSize: Int) throws -> Int {
        let body = sealedSize - headerSize
        let layout = try SegmentLayout(bodyLength: body, segmentSize: segmentSize)
        return body - layout.count * tagSize
    }

    /// Seals a whole plaintext in memory. Streaming writers use `EnvelopeSealer` directly.
    public static func seal(
        _ plaintext: [UInt8], contentKey: SymmetricKey, context: EnvelopeContext,
        segmentSize: Int = defaultSegmentSize
    ) throws -> [UInt8] {
        var sealer = try EnvelopeSealer(contentKey: contentKey, context: context, segmentSize: segmentSize)
        var out = sealer.header
        out.reserveCapacity(sealedSize(plaintextSize: plaintext.count, segmentSize: segmentSize))
        var offset = 0
        repeat {
            let end = min(offset + segmentSize, plaintext.count)
            let isFinal = end == plaintext.count
            try plaintext.withUnsafeBytes { raw in
                try sealer.sealSegment(UnsafeRawBufferPointer(rebasing: raw[offset..<end]), isFinal: isFinal, into: &out)
            }
            offset = end
            if isFinal { break }
        } while true
        return out
    }

    /// Opens a whole sealed blob in memory. Streaming readers use `EnvelopeOpener` directly.
    public static func open(_ sealed: [UInt8], contentKey: SymmetricKey, context: EnvelopeContext) throws -> [UInt8] {
        guard sealed.count >= headerSize else { throw VaultCryptoError.badLength }
        let opener = try EnvelopeOpener(header: sealed[0..<headerSize], contentKey: contentKey, context: context)
        let layout = try SegmentLayout(bodyLength: sealed.count - headerSize, segmentSize: opener.segmentSize)
        var out = [UInt8]()
        out.reserveCapacity(sealed.count)
        var offset = headerSize
        for index in 0..<layout.count {
            let length = layout.sealedLength(ofSegment: index)
            try sealed.withUnsafeBytes { raw in
                try opener.openSegment(
                    UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]),
                    index: UInt32(index), isFinal: index == layout.count - 1, into: &out)
            }
            offset += length
        }
        return out
    }

    static func nonce(prefix: [UInt8], index: UInt32, isFinal: Bool) throws -> AES.GCM.Nonce {
        var bytes = prefix
        bytes.appendBigEndian(index)
        bytes.append(isFinal ? 1 : 0)
        return try AES.GCM.Nonce(data: bytes)
    }

    static func segmentKey(contentKey: SymmetricKey, salt: [UInt8], context: EnvelopeContext) -> SymmetricKey {
        var info = Array("locker-envelope-v1".utf8)
        info.append(contentsOf: context.encoded)
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: contentKey, salt: salt, info: info, outputByteCount: 32)
    }
}
