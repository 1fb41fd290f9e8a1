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

/// How a sealed body of known length splits into segments. A body whose last segment would be
/// shorter than a tag cannot come from `EnvelopeSealer`, so it is refused up front.
public struct SegmentLayout: Sendable, Equatable {
    /// Number of segments, at least one (an empty plaintext is one empty final segment).
    public let count: Int
    /// Sealed length of every segment but the last.
    public let fullLength: Int
    /// Sealed length of the last segment.
    public let lastLength: Int

    public init(bodyLength: Int, segmentSize: Int) throws {
        let full = segmentSize + Envelope.tagSize
        guard bodyLength >= Envelope.tagSize else { throw VaultCryptoError.badLength }
        let count = (bodyLength + full - 1) / full
        let last = bodyLength - (count - 1) * full
        guard last >= Envelope.tagSize else { throw VaultCryptoError.badLength }
        self.count = count
        self.fullLength = full
        self.lastLength = last
    }

    /// Sealed length of segment `index`.
    public func sealedLength(ofSegment index: Int) -> Int {
        index == count - 1 ? lastLength : fullLength
    }
}

/// Seals one blob, segment by segment. Each instance draws a fresh salt and nonce prefix, so two
/// seals never share a (key, nonce) pair even under the same content key.
public struct EnvelopeSealer: Sendable {
    /// The header to write before the first segment.
    public let header: [UInt8]
    /// Plaintext bytes per segment.
    public let segmentSize: Int
    private let key: SymmetricKey
    private let aad: [UInt8]
    private let noncePrefix: [UInt8]
    private var nextIndex: UInt32 = 0
    private var finished = false

    public init(contentKey: SymmetricKey, context: EnvelopeContext, segmentSize: Int = Envelope.defaultSegmentSize) throws {
        guard contentKey.bitCount == 256 else { throw VaultCryptoError.badKey }
        guard Envelope.segmentSizeRange.contains(segmentSize) else { throw VaultCryptoError.badHeader("segment size \(segmentSize) out of range") }
        let salt = SecureRandom.bytes(Envelope.saltSize)
        let prefix = SecureRandom.bytes(Envelope.noncePrefixSize)
        var header = Envelope.magic
        header.append(Envelope.formatVersion)
        header.append(Envelope.algorithmAES256GCM)
        header.append(contentsOf: [0, 0])
        header.appendBigEndian(UInt32(segmentSize))
        header.append(contentsOf: salt)
        header.append(contentsOf: prefix)
        header.append(0)
        assert(header.count == Envelope.headerSize)
        self.header = header
        self.segmentSize = segmentSize
        self.noncePrefix = prefix
        self.key = Envelope.segmentKey(contentKey: contentKey, salt: salt, context: context)
        self.aad = header + context.encoded
    }

    /// The nonce prefix drawn for this blob (exposed for the nonce-uniqueness test).
    public var noncePrefixBytes: [UInt8] { noncePrefix }

    /// Seals the next segment and appends ciphertext and tag to `out`. Every segment but the
    /// final one must hold exactly `segmentSize` bytes; nothing may follow the final one.
    public mutating func sealSegment(_ plaintext: UnsafeRawBufferPointer, isFinal: Bool, into out: inout [UInt8]) throws {
        precondition(!finished, "segment sealed after the final one")
        precondition(isFinal ? plaintext.count <= segmentSize : plaintext.count == segmentSize, "bad segment length")
        let nonce = try Envelope.nonce(prefix: noncePrefix, index: nextIndex, isFinal: isFinal)
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: aad)
        out.append(contentsOf: box.ciphertext)
        out.append(contentsOf: box.tag)
        if nextIndex == UInt32.max { throw VaultCryptoError.badLength }
        nextIndex += 1
        finished = isFinal
    }
}

/// Opens one blob, segment by segment, releasing a segment's plaintext only after its tag checks.
public struct EnvelopeOpener: Sendable {
    /// Plaintext bytes per segment, as the header says.
    public let segmentSize: Int
    private let key: SymmetricKey
    private let aad: [UInt8]
    private let noncePrefix: [UInt8]

    /// Parses and checks the header. The header is authenticated with the first segment, so a
    /// header that parses but was edited still fails there.
    public init<Header: Collection>(header: Header, contentKey: SymmetricKey, context: EnvelopeContext) throws
    where Header.Element == UInt8 {
        let h = Array(header)
        guard h.count == Envelope.headerSize else { throw VaultCryptoError.badHeader("short header") }
        guard Array(h[0..<4]) == Envelope.magic else { throw VaultCryptoError.badHeader("not a Locker envelope") }
        guard h[4] == Envelope.formatVersion else { throw VaultCryptoError.badHeader("unknown format version \(h[4])") }
        guard h[5] == Envelope.algorithmAES256GCM else { throw VaultCryptoError.badHeader("unknown algorithm \(h[5])") }
        guard h[6] == 0, h[7] == 0, h[35] == 0 else { throw VaultCryptoError.badHeader("reserved bytes set") }
        let size = Int(h[8]) << 24 | Int(h[9]) << 16 | Int(h[10]) << 8 | Int(h[11])
        guard Envelope.segmentSizeRange.contains(size) else { throw VaultCryptoError.badHeader("segment size \(size) out of range") }
        guard contentKey.bitCount == 256 else { throw VaultCryptoError.badKey }
        let salt = Array(h[12..<28])
        self.segmentSize = size
        self.noncePrefix = Array(h[28..<35])
        self.key = Envelope.segmentKey(contentKey: contentKey, salt: salt, context: context)
        self.aad = h + context.encoded
    }

    /// Sealed bytes per full segment.
    public var sealedSegmentSize: Int { segmentSize + Envelope.tagSize }

    /// Authenticates segment `index` and appends its plaintext to `out`; on failure `out` is
    /// left as it was.
    public func openSegment(_ sealed: UnsafeRawBufferPointer, index: UInt32, isFinal: Bool, into out: inout [UInt8]) throws {
        out.append(contentsOf: try openSegment(sealed, index: index, isFinal: isFinal))
    }

    /// Authenticates segment `index` and returns its plaintext.
    public func openSegment(_ sealed: UnsafeRawBufferPointer, index: UInt32, isFinal: Bool) throws -> Data {
        guard sealed.count >= Envelope.tagSize, sealed.count <= sealedSegmentSize else { throw VaultCryptoError.badLength }
        if !isFinal && sealed.count != sealedSegmentSize { throw VaultCryptoError.badLength }
        let split = sealed.count - Envelope.tagSize
        let nonce = try Envelope.nonce(prefix: noncePrefix, index: index, isFinal: isFinal)
        let plaintext: Data
        do {
            let box = try AES.GCM.SealedBox(
                nonce: nonce,
                ciphertext: UnsafeRawBufferPointer(rebasing: sealed[0..<split]),
                tag: UnsafeRawBufferPointer(rebasing: sealed[split...]))
            plaintext = try AES.GCM.open(box, using: key, authenticating: aad)
        } catch {
            throw VaultCryptoError.authenticationFailed
        }
        return plaintext
    }
}
