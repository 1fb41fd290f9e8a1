import Foundation

/// A push lost a race: something it read before sealing changed before it could commit.
public enum PushConflict: Error, Sendable, Equatable {
    /// Another request created this citizen with another id.
    case citizenChanged
    /// The citizen was rekeyed, so the document is sealed under a data key that is gone.
    case keysChanged
    /// Another push or a revocation changed this document.
    case documentChanged
}
