import Foundation
import NIOCore
import NIOPosix

/// Where request tasks run.
public enum ServerExecutor {
    /// Makes NIO's event loops Swift concurrency's global executor, so request tasks run on the
    /// I/O threads instead of hopping to a separate pool and back for every body chunk and
    /// write. Blocking work already goes to `LockerServices.blockingIO` and the group-commit
    /// thread, never to the executor. Call first thing in `main`; returns false if it could
    /// not take over (the default pool then stays).
    ///
    /// Measured on 2 cores, the two builds alternating: 4 KB pushes within noise of each other
    /// (runs of ±10 % either way), status redemptions ≈ 5 % faster on the default pool (≈ 10,900
    /// against ≈ 10,350/s, p99 6.5 against 7.3 ms). `LOCKER_EXECUTOR=cooperative` keeps the
    /// default pool for a redemption-heavy node.
    /// `LOCKER_EVENT_LOOPS=N` (1-256): N event loops instead of one per core. On PostgreSQL a
    /// request blocks its loop while it waits for the database, so with the database across a
    /// network more loops keep the CPU busy; on one 2-core machine 8 loops measured within noise
    /// of 2, and on the embedded default, whose reads do not wait, one per core is best. Call
    /// before `adoptEventLoops`.
    public static func applyLoopCount(_ value: String?) {
        guard let value, !value.isEmpty else { return }
        guard let n = Int(value), (1...256).contains(n) else {
            FileHandle.standardError.write(Data("lockerd: error: LOCKER_EVENT_LOOPS must be a number from 1 to 256\n".utf8))
            exit(1)
        }
        NIOSingletons.groupLoopCountSuggestion = n
    }

    @discardableResult
    public static func adoptEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
