import Foundation

/// A key operation refused because the vault is not ready for it; says what is in the way.
public struct KeyAdminRefusal: Error, CustomStringConvertible, Sendable {
    public let description: String
}
