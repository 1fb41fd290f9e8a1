import Foundation
import LockerStore
import Logging
import ServiceLifecycle

/// Copies the SQLite WAL back into the database every quarter second, from a connection of its
/// own, so that no request's commit ever pays for a checkpoint (lockerd's connections have
/// automatic checkpoints switched off). PASSIVE: it never blocks a writer or a reader.
///
/// Under constant writes a PASSIVE checkpoint never catches up with the last frame, so SQLite
/// never starts the WAL over. Once the WAL passes `LockerDatabase.walSizeLimit`, the writer
/// restarts it between two batches (a pause of a few milliseconds, since the PASSIVE
/// checkpoints have already copied nearly everything).
struct Checkpointer: Service {
    let services: LockerServices
    let logger: Logger
    var interval: Duration = .milliseconds(250)

    func run() async throws {
        let storage = services.maintenance
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await services.blocking { try storage.checkpoint() }
                    let started = ContinuousClock.now
                    if let frames = try await storage.restartLogIfLarge() {
                        logger.debug("WAL restarted", metadata: ["frames": "\(frames)", "elapsed": "\(ContinuousClock.now - started)"])
                    }
                    failures = 0
                } catch {
                    failures += 1
                    if failures == 1 { logger.warning("WAL checkpoint failed; will retry", metadata: ["error.type": "\(String(reflecting: type(of: error)))"]) }
                }
                try? await Task.sleep(for: interval)
            }
        }
        _ = try? await services.blocking { try storage.checkpoint() }  // leave a short WAL behind
    }
}
