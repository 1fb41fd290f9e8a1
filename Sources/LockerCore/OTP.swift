import Crypto
import Foundation

/// One-time passwords: six digits, uniform, from the CSPRNG; stored only as a keyed hash.
public enum OTP {
    /// Six uniformly random digits (rejection sampling, so no digit string is likelier).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = UInt32.random(in: 0..<1_000_000, using: &generator)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// HMAC-SHA256 under a server key, bound to the challenge: a stolen database row cannot be
    /// brute-forced offline (10⁶ guesses) without the key, nor replayed onto another challenge.
    public static func hash(_ otp: String, challengeID: String, key: SymmetricKey) -> [UInt8] {
        var message = Array("locker-otp-v1".utf8)
        message.appendLengthPrefixed(Array(challengeID.utf8))
        message.appendLengthPrefixed(Array(otp.utf8))
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    /// Whether `otp` matches `stored`, compared in constant time.
    public static func matches(_ otp: String, challengeID: String, stored: [UInt8], key: SymmetricKey) -> Bool {
        ConstantTime.equal(hash(otp, challengeID: challengeID, key: key), stored)
    }
}

/// Comparisons whose timing does not depend on where the inputs differ.
public enum ConstantTime {
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// Credentials handed to clients: a typed prefix (so a leaked one is recognisable in a scan)
/// and 256 random bits. Stored only as SHA-256 — enough for 256-bit secrets, which cannot be
/// brute-forced, unlike OTPs.
public enum Credential {
    /// `lk_iss_…` issuer API keys, `lk_ver_…` verifier keys, `lk_ses_…` session tokens.
    public static func make(prefix: String) -> String {
        "lk_\(prefix)_" + SecureRandom.token()
    }

    /// The stored form.
    public static func hash(_ credential: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(credential.utf8)))
    }
}
