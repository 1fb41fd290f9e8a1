/// Why a cryptographic operation refused its input.
///
/// Every case is a refusal, never a partial result: when opening fails, no plaintext from the
/// failing segment (or any later one) has been released.
public enum VaultCryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The blob does not start with Locker's envelope header, or names an unknown format.
    case badHeader(String)
    /// A segment, or a wrapped key, failed authentication: tampered, moved, truncated or reordered.
    case authenticationFailed
    /// The ciphertext ends where no final segment can end (truncated or extended).
    case badLength
    /// A wrapped key names a key-encryption-key version the keyring does not hold (or has retired).
    case unknownKeyVersion(Int)
    /// A key has the wrong length.
    case badKey

    public var description: String {
        switch self {
        case .badHeader(let why): "envelope header rejected: \(why)"
        case .authenticationFailed: "authentication failed"
        case .badLength: "ciphertext length is not a valid envelope"
        case .unknownKeyVersion(let v): "no usable key-encryption key version \(v)"
        case .badKey: "key has the wrong length"
        }
    }
}
