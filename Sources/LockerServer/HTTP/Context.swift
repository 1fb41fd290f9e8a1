import Hummingbird
import Logging

/// Per-request context: the configured body limit (so JSON decoding honours it) and the
/// client's address (for per-client rate limits and the owner's access log).
public struct LockerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var maxUploadSize: Int
    /// The peer's IP address as seen on the socket ("unknown" if the channel has none).
    public let clientAddress: String
    /// JSON bodies with a key repeated in one object are refused before decoding.
    public var requestDecoder: LockerRequestDecoder { LockerRequestDecoder() }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = LockerRequestContext.configuredMaxUploadSize
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Hummingbird builds contexts from the channel alone, so the configured limit is stored
    /// once at start-up. `nonisolated(unsafe)` is sound: it is written once in `buildApplication`
    /// before the server accepts a connection, and only read after.
    nonisolated(unsafe) static var configuredMaxUploadSize = 64 << 10
}
