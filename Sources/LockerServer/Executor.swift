import NIOCore
import NIOPosix

/// Where request tasks run.
public enum ServerExecutor {
    /// Makes NIO's event loops Swift concurrency's global executor, so a request's task runs on
    /// the thread that owns its connection instead of hopping to a separate thread pool and back
    /// for every read and write. Blocking work already goes to `LockerServices.blockingIO` and
    /// the group-commit thread, never to the executor. Call first thing in `main`; returns false
    /// if it could not take over (the default pool then stays, which is merely slower).
    @discardableResult
    public static func adoptEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
