import Crypto
import Foundation

/// SHA-256 where the server needs a digest: push signatures and CSP hashes.
enum SHA256Digest {
    static func of(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// A CSP source allowing exactly this inline text (`'sha256-…'`), so pages need no
    /// `unsafe-inline`.
    static func cspSource(for text: String) -> String {
        "'sha256-" + Data(of(Array(text.utf8))).base64EncodedString() + "'"
    }
}
