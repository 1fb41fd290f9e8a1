import Foundation

/// Randomness for keys, nonces, identifiers and tokens.
///
/// `SystemRandomNumberGenerator` reads the kernel CSPRNG (`getrandom(2)` on Linux), so every
/// value here is fit for secrets; nothing in Locker draws secrets from `UUID` or a seeded PRNG.
public enum SecureRandom {
    /// `count` bytes from the system CSPRNG.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next() as UInt64
            for _ in 0..<min(8, count - index) {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }

    /// A lowercase-hex identifier carrying `byteCount * 8` random bits (default 128).
    public static func identifier(byteCount: Int = 16) -> String {
        Hex.encode(bytes(byteCount))
    }

    /// A 32-hex-character identifier that sorts by creation time: 48 bits of milliseconds since
    /// 1970, then 80 random bits. For rows written at a high rate (documents, blobs): a new id
    /// lands on the right edge of its index, where a batch of pushes shares one page, instead of
    /// dirtying a random page each. Still unguessable (2^80 per millisecond), and an id alone
    /// opens nothing: every lookup is also by owner. Never use it for secrets.
    public static func orderedIdentifier(now: Date = Date()) -> String {
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let time = (0..<6).map { UInt8(truncatingIfNeeded: millis >> (8 * (5 - $0))) }
        return Hex.encode(time + bytes(10))
    }

    /// A URL-safe secret token carrying `byteCount * 8` random bits (default 256).
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }
}
