import Crypto
import Foundation
import LockerCore
import LockerStore

/// The one-time-code rules shared by sign-in and KYC-VS consent, written once: how a code is
/// made and stored, how many may be asked for per hour, and how a try is judged — every try
/// counts, wrong ones included, and a challenge locks after `maxAttempts`.
struct OTPChallenge: Sendable {
    /// Keys OTP hashes and seals the mobile in a challenge.
    let key: SymmetricKey
    let lifetime: TimeInterval
    let maxAttempts: Int

    static let invalid = Problem(.unauthorized, "otp-invalid", "Invalid code", detail: "The code is wrong, expired or already used.")
    static let locked = Problem(.unauthorized, "otp-locked", "Challenge locked", detail: "Too many wrong codes for this challenge; request a new code.")

    /// How one try went.
    enum Verdict: Sendable, Equatable {
        /// Unknown, used or expired: nothing counted.
        case invalid
        /// Already at the limit of tries: nothing counted.
        case locked
        /// Counted, and wrong.
        case wrong
        /// Counted, and right: the challenge is used.
        case matched

        /// Whether the try was counted (and the challenge must be stored again).
        var counted: Bool { self == .wrong || self == .matched }
    }

    /// A new code and its stored hash, bound to the challenge id.
    func makeCode(challengeID: String) -> (code: String, hash: Data) {
        let code = OTP.generate()
        return (code, Data(OTP.hash(code, challengeID: challengeID, key: key)))
    }

    /// Whether a typed code could be one at all (six ASCII digits), checked before any lookup.
    static func wellFormed(_ code: String) -> Bool {
        code.utf8.count == 6 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Judges one try against a stored challenge and counts it: `attempts` grows on every
    /// counted try and `usedAt` is set on a match. The caller stores the challenge in the same
    /// transaction that read it whenever the verdict `counted`.
    func judge(_ code: String, _ challenge: inout some CountedChallenge, now: Date) -> Verdict {
        guard challenge.usedAt == nil, challenge.expiresAt > now else { return .invalid }
        guard challenge.attempts < maxAttempts else { return .locked }
        challenge.attempts += 1
        guard OTP.matches(code, challengeID: challenge.id, stored: [UInt8](challenge.otpHash), key: key) else {
            if challenge.attempts == maxAttempts { ServerMetrics.otpLockouts.increment() }
            return .wrong
        }
        challenge.usedAt = now
        return .matched
    }

    /// "At most `limit` challenges per key in the last hour", counted in the same transaction
    /// that would add the next one, so concurrent requests cannot slip past it. Over the limit:
    /// 429 with `Retry-After` set to when the oldest one in the window leaves it.
    static func enforceHourlyLimit(_ tx: any SignInTransaction, _ kind: ChallengeKind, key: Data, limit: Int, now: Date) throws {
        let (count, oldest) = try tx.recentChallenges(kind, key: key, since: now.addingTimeInterval(-3600))
        guard count >= limit else { return }
        let retryAfter = oldest.map { Int($0.addingTimeInterval(3600).timeIntervalSince(now).rounded(.up)) } ?? 3600
        throw Problem(.tooManyRequests, "rate-limited", "Too many requests", detail: "Too many codes requested; try again later.",
                      headers: [.retryAfter: String(max(1, retryAfter))])
    }
}
