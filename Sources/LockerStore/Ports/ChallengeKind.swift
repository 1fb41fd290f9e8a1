import Foundation

/// Which rows an hourly limit counts.
public enum ChallengeKind: Sendable {
    /// Sign-in challenges, counted by `mobileHash` or by `clientHash`.
    case signIn(by: ChallengeKey)
    /// KYC-VS consent requests, counted by `mobileHash`.
    case kycConsent
}
