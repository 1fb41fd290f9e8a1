/// The HSM holding the root key did not answer (its module failed, the token went away, the
/// session broke). The HTTP layer turns it into 503 with `Retry-After`; nothing was
/// acknowledged for the request that met it.
public struct RootKeyUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
