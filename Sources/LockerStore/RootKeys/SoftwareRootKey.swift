import Crypto
import Foundation

/// The root key as 32 bytes in memory (`--root-key-file`): AES-256-GCM by swift-crypto, in the
/// sealed box's combined format (nonce || ciphertext || tag) deployments have always stored.
public struct SoftwareRootKey: RootKeyWrapper {
    let key: SymmetricKey
    public let name: String

    /// Reads the key file (see `RootKey.load`).
    public init(path: String) throws {
        key = try RootKey.load(path: path)
        name = "file \(path)"
    }

    /// A key already in memory (tests, benchmarks).
    public init(key: SymmetricKey, name: String = "in-memory key") {
        self.key = key
        self.name = name
    }

    public func wrap(_ plaintext: [UInt8], authenticating aad: [UInt8]) throws -> Data {
        Data(try AES.GCM.seal(plaintext, using: key, authenticating: aad).combined!)
    }

    public func unwrap(_ sealed: Data, authenticating aad: [UInt8]) throws -> [UInt8] {
        [UInt8](try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: aad))
    }
}
