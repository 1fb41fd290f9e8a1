import LockerStore
import ServiceLifecycle

/// Holds the storage folder's `lockerd` lock for as long as the server runs.
struct StorageLockService: Service {
    let lock: StorageLock

    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(lock) {}
    }
}
