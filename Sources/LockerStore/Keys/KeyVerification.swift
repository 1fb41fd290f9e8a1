import Foundation

/// What `verifyKeys` found.
public struct KeyVerification: Sendable, Codable {
    public var dataKeys: Int
    public var signingKeys: Int
    public var documents: Int
    /// One line per wrapped key or document that would not open (ids only, nothing secret).
    public var failures: [String]
}
