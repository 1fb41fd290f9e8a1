import Foundation
import Hummingbird
import LockerCore
import LockerStore
import Logging

/// Builds the whole server from its configuration: opens the vault (failing fast with one
/// clear line if storage or keys are unusable), sweeps orphan blobs, and wires the router.
public func buildApplication(config: LockerConfig, logger: Logger) async throws -> some ApplicationProtocol {
    let vault = try Vault.open(layout: StorageLayout(root: config.storagePath))
    let swept = try vault.sweepOrphanBlobs()
    logger.info("storage ready", metadata: [
        "storage": "\(config.storagePath)",
        "kek.primary": "\(vault.keyring.primaryVersion)",
        "blobs.swept": "\(swept)",
    ])
    LockerRequestContext.configuredMaxUploadSize = config.maxBodyBytes
    let router = buildRouter(vault: vault, config: config)
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "lockerd"),
        logger: logger
    )
}

/// Wires middleware and routes. Everything the server answers is listed here.
public func buildRouter(vault: Vault, config: LockerConfig) -> Router<LockerRequestContext> {
    let router = Router(context: LockerRequestContext.self)
    router.addMiddleware {
        RequestLogMiddleware()
        ProblemMiddleware()
        BodyLimitMiddleware(limit: config.maxBodyBytes)
    }
    HealthController(vault: vault).addRoutes(to: router)
    return router
}
