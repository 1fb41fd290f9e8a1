import CLockerGCM
import Crypto
import Foundation

/// Opens one document's segments straight into a caller's buffer (the response being built),
/// through OpenSSL's AES-256-GCM with a key schedule made once per document. Same checks and
/// the same answers as `EnvelopeOpener.openSegment`, without the two intermediate copies
/// (`SealedBox` and the returned `Data`); a segment whose tag fails leaves zeros where its
/// plaintext was written, so no unverified byte survives in the buffer.
///
/// Not `Sendable`: it holds an OpenSSL context, used by one reader at a time.
public final class SegmentDecryptor {
    private let context: OpaquePointer
    private let aad: [UInt8]
    private let noncePrefix: [UInt8]
    /// Sealed bytes per full segment (plaintext plus tag).
    public let sealedSegmentSize: Int

    init(segmentKey: SymmetricKey, aad: [UInt8], noncePrefix: [UInt8], sealedSegmentSize: Int) throws {
        guard segmentKey.bitCount == 256, noncePrefix.count == Envelope.noncePrefixSize else { throw VaultCryptoError.badKey }
        guard let context = segmentKey.withUnsafeBytes({ locker_gcm_new($0.bindMemory(to: UInt8.self).baseAddress) }) else {
            throw VaultCryptoError.badKey
        }
        self.context = context
        self.aad = aad
        self.noncePrefix = noncePrefix
        self.sealedSegmentSize = sealedSegmentSize
    }

    deinit { locker_gcm_free(context) }

    /// Authenticates segment `index` of `sealed` (ciphertext then tag) and writes its plaintext
    /// to the start of `out`, which must hold `sealed.count - Envelope.tagSize` bytes; returns
    /// that count. Throws `authenticationFailed` (with `out` zeroed) if the tag does not verify.
    public func open(_ sealed: UnsafeRawBufferPointer, index: UInt32, isFinal: Bool, into out: UnsafeMutableRawBufferPointer) throws -> Int {
        guard sealed.count >= Envelope.tagSize, sealed.count <= sealedSegmentSize else { throw VaultCryptoError.badLength }
        if !isFinal && sealed.count != sealedSegmentSize { throw VaultCryptoError.badLength }
        let length = sealed.count - Envelope.tagSize
        precondition(out.count >= length, "output buffer too small for a segment")
        // The nonce: the 7-byte prefix, the big-endian segment index, and 1 on the final segment.
        var nonce: (UInt64, UInt32) = (0, 0)
        let ok = withUnsafeMutableBytes(of: &nonce) { n -> Int32 in
            noncePrefix.withUnsafeBytes { n.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: Envelope.noncePrefixSize) }
            n[7] = UInt8(truncatingIfNeeded: index >> 24)
            n[8] = UInt8(truncatingIfNeeded: index >> 16)
            n[9] = UInt8(truncatingIfNeeded: index >> 8)
            n[10] = UInt8(truncatingIfNeeded: index)
            n[11] = isFinal ? 1 : 0
            let bytes = sealed.bindMemory(to: UInt8.self).baseAddress!
            return aad.withUnsafeBufferPointer { a in
                locker_gcm_open(context, n.bindMemory(to: UInt8.self).baseAddress, a.baseAddress, a.count,
                                bytes, length, bytes + length, out.bindMemory(to: UInt8.self).baseAddress)
            }
        }
        guard ok == 1 else { throw VaultCryptoError.authenticationFailed }
        return length
    }
}
