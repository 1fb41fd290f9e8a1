import Foundation

/// How many wrapped keys each KEK version holds.
public struct WrapCounts: Sendable, Codable, Equatable {
    public var dataKeys: [Int: Int]
    public var signingKeys: [Int: Int]

    /// Wrapped keys (of either kind) under versions other than `version`.
    public func notUnder(_ version: Int) -> Int {
        dataKeys.filter { $0.key != version }.values.reduce(0, +) + signingKeys.filter { $0.key != version }.values.reduce(0, +)
    }

    /// Wrapped keys (of either kind) under versions below `version`.
    public func below(_ version: Int) -> Int {
        dataKeys.filter { $0.key < version }.values.reduce(0, +) + signingKeys.filter { $0.key < version }.values.reduce(0, +)
    }
}
