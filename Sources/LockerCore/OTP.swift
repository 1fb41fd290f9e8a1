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
