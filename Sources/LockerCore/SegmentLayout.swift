import Crypto
import Foundation

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
