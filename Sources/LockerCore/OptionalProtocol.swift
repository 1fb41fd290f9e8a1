import Foundation

/// Lets `JSONText` see through an `Optional` stored in an `Any`.
protocol OptionalProtocol {
    var wrapped: Any? { get }
}
