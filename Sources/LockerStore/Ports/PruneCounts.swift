import Foundation

/// What one pruning pass deleted.
public struct PruneCounts: Sendable, Equatable {
    public var challenges: Int
    public var kycRequests: Int
    public var sessions: Int
    /// Partner apps' codes and tokens past their expiry or of a connection that ended.
    public var partnerTokens: Int
    /// Partner connections that ended or expired.
    public var partnerConnections: Int
    public var total: Int { challenges + kycRequests + sessions + partnerTokens + partnerConnections }

    public init(challenges: Int, kycRequests: Int, sessions: Int, partnerTokens: Int = 0, partnerConnections: Int = 0) {
        self.challenges = challenges
        self.kycRequests = kycRequests
        self.sessions = sessions
        self.partnerTokens = partnerTokens
        self.partnerConnections = partnerConnections
    }
}
