import Hummingbird
import Logging

/// Per-request context: the router's body limit (set by `BodyLimitMiddleware`, so JSON
/// decoding honours it) and the client's address (for per-client rate limits and the owner's
/// access log).
public struct LockerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var maxUploadSize: Int
    /// The peer's IP address as seen on the socket ("unknown" if the channel has none), or the
    /// forwarded client's behind a trusted proxy (`ClientAddressMiddleware`).
    public internal(set) var clientAddress: String
    /// JSON bodies with a key repeated in one object are refused before decoding.
    public var requestDecoder: LockerRequestDecoder { LockerRequestDecoder() }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = Self.defaultMaxUploadSize
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// The limit before `BodyLimitMiddleware` sets the router's own (`--max-body-bytes`'s default).
    static let defaultMaxUploadSize = 64 << 10
}
