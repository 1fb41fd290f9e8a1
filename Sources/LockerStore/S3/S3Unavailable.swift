/// The object store did not answer, or answered with a server error. The HTTP layer turns it
/// into 503 with `Retry-After`; nothing was acknowledged for the request that met it.
public struct S3Unavailable: Error, Sendable, CustomStringConvertible {
    /// One line naming the store (never the credentials).
    public let description: String

    /// An error described by `description`.
    public init(_ description: String) {
        self.description = description
    }
}
