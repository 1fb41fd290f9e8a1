import Foundation

/// What one pruning pass deleted.
public struct PruneCounts: Sendable, Equatable {
    public var challenges: Int
    public var kycRequests: Int
    public var sessions: Int
    public var total: Int { challenges + kycRequests + sessions }

    public init(challenges: Int, kycRequests: Int, sessions: Int) {
        self.challenges = challenges
        self.kycRequests = kycRequests
        self.sessions = sessions
    }
}
