import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerStore
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps a running `lockerd` in step with key changes made by `locker` while it serves:
/// picks up a rotated, retired or destroyed KEK within a second (no restart), switches to a
/// rolled-over signing key, and finishes any rewrap left unfinished — at start-up, or when
/// `locker keys rotate` was killed half-way. It rewraps only when no one else holds the rewrap
/// lock, so it never races the CLI over the same rows.
struct KeyWatcher: Service {
    let services: LockerServices
    let logger: Logger
    var interval: Duration = .seconds(1)
    /// Rows per batch when lockerd rewraps: small, one thread, so serving goes on beside it.
    var batchSize = 2048

    func run() async throws {
        let stop = StopFlag()
        await withTaskCancellationHandler {
            await cancelWhenGracefulShutdown { await watch(stop: stop) }
        } onCancel: {
            stop.set()
        }
    }

    func watch(stop: StopFlag) async {
        var pending = true  // at start, finish whatever a crashed rotation left
        var lastRefusal = Date.distantPast
        var activeKid = try? currentSigningKid()
        while !Task.isCancelled {
            do {
                if try services.vault.refreshKeyring() {
                    logger.info("keyring changed; now using it", metadata: ["kek.primary": "\(services.vault.keyring.primaryVersion)"])
                    pending = true
                }
            } catch {
                // A keyring from another vault (or an unreadable one): keep serving with the one
                // in use, and say so loudly, at most once a minute.
                if Date().timeIntervalSince(lastRefusal) >= 60 {
                    logger.critical("keyring refused; still using the one loaded before", metadata: ["error": "\(error)"])
                    lastRefusal = Date()
                }
            }
            if pending { pending = !(await finishRewrap(stop: stop)) }
            let kid = try? currentSigningKid()
            if kid != activeKid {
                services.status.reloadSigningKey()
                activeKid = kid
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One rewrap pass under the rewrap lock. Returns false if the lock was busy (the CLI is
    /// rewrapping; try again next tick) or the pass failed.
    func finishRewrap(stop: StopFlag) async -> Bool {
        let vault = services.vault
        let batchSize = self.batchSize
        do {
            let report = try await Self.onBackgroundThread { () -> RewrapReport? in
                guard let lock = try vault.records.rewrapLock(wait: false) else { return nil }
                defer { withExtendedLifetime(lock) {} }
                return try vault.rewrapAll(batchSize: batchSize, threads: 1, shouldContinue: { !stop.isSet })
            }
            guard let report else { return false }
            ServerMetrics.rewrappedKeys.increment(by: report.dataKeys + report.signingKeys)
            if report.dataKeys + report.signingKeys > 0 {
                logger.info("rewrap finished", metadata: ["kek.target": "\(report.targetVersion)", "dataKeys": "\(report.dataKeys)", "failed": "\(report.failed)"])
                let detail: [String: String] = [
                    "version": String(report.targetVersion), "dataKeys": String(report.dataKeys),
                    "signingKeys": String(report.signingKeys), "failed": String(report.failed),
                ]
                try vault.audit("admin.kek-rewrapped", actor: "lockerd", detail: detail)
            }
            return !stop.isSet
        } catch {
            logger.error("rewrap failed; will retry", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return false
        }
    }

    /// Runs `work` on a fresh thread of lower priority (nice 10), so key work takes only the CPU
    /// that serving leaves over.
    static func onBackgroundThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                lowerThisThreadsPriority()
                continuation.resume(with: Result { try work() })
            }
            thread.name = "locker-rewrap"
            thread.start()
        }
    }

    func currentSigningKid() throws -> String? {
        try services.vault.currentSigningKid()
    }
}

/// nice 10 for the calling thread only: on Linux the nice value is per thread, and `who = 0`
/// names the calling thread.
private func lowerThisThreadsPriority() {
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
}
