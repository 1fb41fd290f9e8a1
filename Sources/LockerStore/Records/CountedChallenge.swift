import Foundation

/// A stored one-time-code challenge whose tries are counted: a sign-in challenge or a KYC-VS
/// consent request. `OTPChallenge.judge` reads and updates these fields, the same for both.
public protocol CountedChallenge {
    var id: String { get }
    var otpHash: Data { get }
    var attempts: Int { get set }
    var expiresAt: Date { get }
    var usedAt: Date? { get set }
}

extension ChallengeRecord: CountedChallenge {}
extension KYCRequestRecord: CountedChallenge {}
