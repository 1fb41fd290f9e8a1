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
            while !Task.isCancelled {
                do {
                    if let signed = try await services.blocking({ try services.auditCheckpoints.signIfGrown(vault: services.vault) }) {
                        logger.info("audit checkpoint signed", metadata: ["audit.seq": "\(signed.seq)", "kid": "\(signed.kid)"])
                    }
                } catch {
                    logger.warning("audit checkpoint not signed; will retry", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(services.settings.auditCheckpointInterval))
            }
        }
    }
}
