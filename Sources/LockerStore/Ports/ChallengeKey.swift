import Foundation

/// The key a sign-in challenge limit counts by.
public enum ChallengeKey: Sendable { case mobile, client }
