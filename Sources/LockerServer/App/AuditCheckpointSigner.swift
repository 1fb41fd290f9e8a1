import Foundation
import LockerStore
import Logging
import ServiceLifecycle
import Synchronization

/// Signs an audit checkpoint at start and then every `auditCheckpointInterval` while the chain
/// grows, and keeps the latest for `GET /v1/admin/audit/checkpoint`, where an operator's
/// collector fetches it and keeps it outside the vault (`locker audit verify --checkpoint`).
struct AuditCheckpointSigner: Service {
    let services: LockerServices
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastSeq: Int64?
            while !Task.isCancelled {
                do {
                    let since = lastSeq
                    let latest = try await services.blocking { try services.auditCheckpoints.signIfGrown(since: since, vault: services.vault) }
                    if let latest, latest.seq != lastSeq {
                        logger.info("audit checkpoint signed", metadata: ["audit.seq": "\(latest.seq)", "kid": "\(latest.kid)"])
                        lastSeq = latest.seq
                    }
                } catch {
                    logger.warning("audit checkpoint not signed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(services.settings.auditCheckpointInterval))
            }
        }
    }
}
