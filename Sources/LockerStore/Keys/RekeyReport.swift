import Foundation

/// What a citizen rekey changed.
public struct RekeyReport: Sendable, Codable {
    public var citizenID: String
    public var dekVersion: Int
    public var documents: Int
    public var sessionsEnded: Int
    public var sharesRevoked: Int
    /// Partner apps' connections ended (a rekey ends every one).
    public var partnerConnectionsEnded: Int
}
