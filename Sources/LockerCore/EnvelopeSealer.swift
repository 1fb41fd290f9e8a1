import Crypto
import Foundation

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
