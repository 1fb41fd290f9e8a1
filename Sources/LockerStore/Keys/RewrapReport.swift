import Foundation

/// What a rewrap pass did.
public struct RewrapReport: Sendable, Codable {
    /// The KEK version everything was rewrapped to (the primary when the pass began).
    public var targetVersion: Int
    /// Citizens' data keys rewrapped by this pass.
    public var dataKeys: Int
    /// Status-signing keys rewrapped by this pass.
    public var signingKeys: Int
    /// Wrapped keys that would not open (tampered, or under a destroyed version); left as they are.
    public var failed: Int
}
