import Crypto
import Foundation

/// A key wrapped under a versioned key-encryption key, as stored beside the thing it protects.
public struct WrappedKey: Sendable, Hashable, Codable {
    /// The KEK version that wrapped it.
    public var kekVersion: Int
    /// nonce ‖ ciphertext ‖ tag.
    public var bytes: [UInt8]

    public init(kekVersion: Int, bytes: [UInt8]) {
        self.kekVersion = kekVersion
        self.bytes = bytes
    }
}
