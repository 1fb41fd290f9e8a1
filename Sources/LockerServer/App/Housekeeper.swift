import Foundation
import LockerStore
import Logging
import ServiceLifecycle

/// Prunes expired OTP challenges, KYC-VS requests, ended sessions, partner codes and tokens, ended
/// partner connections and spent Push URI nonces every ten minutes (see
/// `StorageMaintenance.pruneExpired`), so no table grows without bound. Never the audit log.
/// With an object store it also sweeps unreferenced objects past their grace period (one node
/// at a time on PostgreSQL: `PostgresBlobStore.sweepOrphans`).
struct Housekeeper: Service {
    let services: LockerServices
    let logger: Logger
    var interval: Duration = .seconds(600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let pruned = try await services.maintenance.pruneExpired(now: services.clock())
                    if pruned.total > 0 {
                        logger.info("expired rows pruned", metadata: ["challenges": "\(pruned.challenges)", "kycRequests": "\(pruned.kycRequests)", "sessions": "\(pruned.sessions)",
                                                                   "partnerTokens": "\(pruned.partnerTokens)", "partnerConnections": "\(pruned.partnerConnections)"])
                    }
                } catch {
                    logger.warning("pruning failed; will retry", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
                }
                if services.vault.blobs.isRemote { await sweepObjects() }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Removes objects no document references, off the request loops.
    func sweepObjects() async {
        let vault = services.vault
        do {
            let removed = try await services.blocking { try vault.sweepOrphanBlobs() }
            if removed > 0 { logger.info("unreferenced blobs swept", metadata: ["blobs.swept": "\(removed)"]) }
        } catch {
            logger.warning("blob sweep failed; will retry", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        }
    }
}
