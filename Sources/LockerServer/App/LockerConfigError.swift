import Configuration
import Foundation
import Logging

/// A configuration value that cannot be used; its description is the one line `lockerd` prints.
public struct LockerConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
