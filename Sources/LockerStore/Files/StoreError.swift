/// A storage problem, phrased for the operator who has to fix it.
public struct StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// One line naming the problem and the path involved.
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
