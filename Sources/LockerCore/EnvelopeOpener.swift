import Crypto
import Foundation

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

    /// The same checks through OpenSSL, writing plaintext straight into a caller's buffer (the
    /// download path).
    public func decryptor() throws -> SegmentDecryptor {
        try SegmentDecryptor(segmentKey: key, aad: aad, noncePrefix: noncePrefix, sealedSegmentSize: sealedSegmentSize)
    }

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
