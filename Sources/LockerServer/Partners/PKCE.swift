import Crypto
import Foundation
import LockerCore

/// Proof Key for Code Exchange (RFC 7636), `S256` only.
enum PKCE {
    /// 43-128 characters of the unreserved set, as RFC 7636 §4.1 and §4.2 require of both the
    /// verifier and an S256 challenge's base64url text (always 43).
    static func wellFormed(_ s: String) -> Bool {
        (43...128).contains(s.utf8.count) && s.utf8.allSatisfy { c in
            (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f || c == 0x7e
        }
    }

    /// Whether `verifier` hashes to `challenge`: BASE64URL(SHA256(ASCII(verifier))), compared in constant time.
    static func verify(verifier: String, challenge: String) -> Bool {
        guard wellFormed(verifier) else { return false }
        let computed = Base64URL.encode(SHA256.hash(data: Array(verifier.utf8)))
        return ConstantTime.equal(Array(computed.utf8), Array(challenge.utf8))
    }
}
