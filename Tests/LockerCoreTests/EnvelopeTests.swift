import Crypto
import Foundation
import Testing
@testable import LockerCore

/// Modelled on HashiCorp Vault's barrier tests: every way of damaging or moving a sealed blob
/// must be refused, and no plaintext may come out of a refused blob.
@Suite("Envelope format")
struct EnvelopeTests {
    let key = SymmetricKey(size: .bits256)
    let context = EnvelopeContext(ownerID: "owner-a", documentID: "doc-1", keyVersion: 1)
    static let small = 4096

    func bytes(_ count: Int, seed: UInt8 = 7) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    func seal(_ plaintext: [UInt8], segmentSize: Int = small) throws -> [UInt8] {
        try Envelope.seal(plaintext, contentKey: key, context: context, segmentSize: segmentSize)
    }

    @Test("round trip at 0, 1, segment-1, segment, segment+1 bytes and 10 MB", arguments: [
        0, 1, Envelope.defaultSegmentSize - 1, Envelope.defaultSegmentSize, Envelope.defaultSegmentSize + 1, 10 * 1024 * 1024,
    ])
    func roundTrip(size: Int) throws {
        let plaintext = bytes(size)
        let sealed = try seal(plaintext, segmentSize: Envelope.defaultSegmentSize)
        #expect(sealed.count == Envelope.sealedSize(plaintextSize: size))
        #expect(try Envelope.plaintextSize(sealedSize: sealed.count, segmentSize: Envelope.defaultSegmentSize) == size)
        let opened = try Envelope.open(sealed, contentKey: key, context: context)
        #expect(opened == plaintext)
        if size > 16 {
            // The ciphertext must not contain the plaintext in the clear.
            #expect(!sealed.contains(subsequence: Array(plaintext[0..<16])))
        }
    }

    @Test("every single flipped byte, in header, segments or tags, is refused")
    func everyFlippedByteIsRefused() throws {
        let plaintext = bytes(Self.small * 2 + 100)  // three segments
        let sealed = try seal(plaintext)
        #expect(try Envelope.open(sealed, contentKey: key, context: context) == plaintext)
        for position in 0..<sealed.count {
            var damaged = sealed
            damaged[position] ^= 0x01
            #expect(throws: VaultCryptoError.self, "flipped byte \(position) was accepted") {
                try Envelope.open(damaged, contentKey: key, context: context)
            }
        }
    }

    @Test("a blob moved to another document, owner or key version is refused")
    func movedBlobIsRefused() throws {
        let sealed = try seal(bytes(5000))
        let elsewhere = [
            EnvelopeContext(ownerID: "owner-a", documentID: "doc-2", keyVersion: 1),
            EnvelopeContext(ownerID: "owner-b", documentID: "doc-1", keyVersion: 1),
            EnvelopeContext(ownerID: "owner-a", documentID: "doc-1", keyVersion: 2),
            // Length-prefixing keeps ("owner-a","doc-1") apart from ("owner-ad","oc-1").
            EnvelopeContext(ownerID: "owner-ad", documentID: "oc-1", keyVersion: 1),
        ]
        for other in elsewhere {
            #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.open(sealed, contentKey: key, context: other) }
        }
        #expect(throws: VaultCryptoError.authenticationFailed) {
            try Envelope.open(sealed, contentKey: SymmetricKey(size: .bits256), context: context)
        }
    }

    @Test("truncation at a segment boundary is refused")
    func truncationAtSegmentBoundary() throws {
        let sealed = try seal(bytes(Self.small * 3))
        let full = Self.small + Envelope.tagSize
        for segments in 1...2 {
            let truncated = Array(sealed[0..<(Envelope.headerSize + segments * full)])
            #expect(throws: VaultCryptoError.self) { try Envelope.open(truncated, contentKey: key, context: context) }
        }
        // Header only, and mid-segment cuts.
        #expect(throws: VaultCryptoError.self) { try Envelope.open(Array(sealed[0..<Envelope.headerSize]), contentKey: key, context: context) }
        #expect(throws: VaultCryptoError.self) { try Envelope.open(Array(sealed.dropLast(1)), contentKey: key, context: context) }
        #expect(throws: VaultCryptoError.self) { try Envelope.open(Array(sealed.dropLast(Envelope.tagSize + 10)), contentKey: key, context: context) }
    }

    @Test("an appended segment is refused")
    func appendedSegment() throws {
        let sealed = try seal(bytes(Self.small * 2))
        let full = Self.small + Envelope.tagSize
        let firstSegment = sealed[Envelope.headerSize..<(Envelope.headerSize + full)]
        #expect(throws: VaultCryptoError.self) { try Envelope.open(sealed + firstSegment, contentKey: key, context: context) }
        // Appending the (final) last segment again.
        #expect(throws: VaultCryptoError.self) { try Envelope.open(sealed + sealed.suffix(full), contentKey: key, context: context) }
        // Appending stray bytes.
        #expect(throws: VaultCryptoError.self) { try Envelope.open(sealed + [0], contentKey: key, context: context) }
    }

    @Test("reordered segments are refused")
    func reorderedSegments() throws {
        let sealed = try seal(bytes(Self.small * 3))
        let full = Self.small + Envelope.tagSize
        let h = Envelope.headerSize
        let s0 = sealed[h..<(h + full)], s1 = sealed[(h + full)..<(h + 2 * full)], s2 = sealed[(h + 2 * full)...]
        let swapped = Array(sealed[0..<h]) + s1 + s0 + s2
        #expect(throws: VaultCryptoError.authenticationFailed) { try Envelope.open(swapped, contentKey: key, context: context) }
        // Moving the final segment forward fails too.
        let finalFirst = Array(sealed[0..<h]) + s2 + s1 + s0
        #expect(throws: VaultCryptoError.self) { try Envelope.open(finalFirst, contentKey: key, context: context) }
    }

    @Test("a header naming an unknown version, algorithm or segment size is refused before decrypting")
    func badHeaders() throws {
        let sealed = try seal(bytes(10))
        var wrongVersion = sealed; wrongVersion[4] = 2
        var wrongAlgorithm = sealed; wrongAlgorithm[5] = 9
        var wrongMagic = sealed; wrongMagic[0] = UInt8(ascii: "X")
        var hugeSegment = sealed; hugeSegment[8] = 0xff
        for damaged in [wrongVersion, wrongAlgorithm, wrongMagic, hugeSegment] {
            #expect(throws: VaultCryptoError.self) { try Envelope.open(damaged, contentKey: key, context: context) }
        }
    }

    @Test("no two of 100,000 seals share a nonce prefix, and no two key wraps share a nonce")
    func noNonceReuse() throws {
        var prefixes = Set<[UInt8]>()
        let plaintext: [UInt8] = [42]
        for _ in 0..<100_000 {
            let sealed = try Envelope.seal(plaintext, contentKey: key, context: context, segmentSize: Self.small)
            // Header bytes 28..<35 are the nonce prefix; with the segment index and final flag it
            // forms each segment's nonce, so distinct prefixes mean distinct nonces.
            prefixes.insert(Array(sealed[28..<35]))
        }
        #expect(prefixes.count == 100_000)

        var wrapNonces = Set<[UInt8]>()
        let dataKey = SymmetricKey(size: .bits256)
        for _ in 0..<100_000 {
            wrapNonces.insert(Array(try KeyWrap.wrap(dataKey, under: key, aad: []).prefix(12)))
        }
        #expect(wrapNonces.count == 100_000)
    }

    @Test("streaming sealer and the in-memory opener agree on odd write sizes")
    func sealerOpenerAgree() throws {
        let plaintext = bytes(Self.small * 4 + 1)
        var sealer = try EnvelopeSealer(contentKey: key, context: context, segmentSize: Self.small)
        var out = sealer.header
        var offset = 0
        while offset < plaintext.count {
            let end = min(offset + Self.small, plaintext.count)
            try plaintext.withUnsafeBytes { raw in
                try sealer.sealSegment(UnsafeRawBufferPointer(rebasing: raw[offset..<end]), isFinal: end == plaintext.count, into: &out)
            }
            offset = end
        }
        #expect(try Envelope.open(out, contentKey: key, context: context) == plaintext)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { i in self[i..<(i + needle.count)].elementsEqual(needle) }
    }
}
