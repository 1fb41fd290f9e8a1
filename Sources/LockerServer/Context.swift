import Hummingbird
import Logging

/// Per-request context. Carries the configured body limit so JSON decoding honours it too.
public struct LockerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the application from `LockerConfig.maxBodyBytes`.
    public var maxUploadSize: Int

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.maxUploadSize = LockerRequestContext.configuredMaxUploadSize
    }

    /// Hummingbird builds contexts from the channel alone, so the configured limit is stored
    /// once at start-up. `nonisolated(unsafe)` is sound: it is written once in `buildApplication`
    /// before the server accepts a connection, and only read after.
    nonisolated(unsafe) static var configuredMaxUploadSize = 1 << 20
}
