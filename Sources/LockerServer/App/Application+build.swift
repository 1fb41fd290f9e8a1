import Foundation
import Hummingbird
import HummingbirdCore
import LockerCore
import LockerStore
import Logging
import Prometheus
import ServiceLifecycle

/// Builds the whole server from its configuration: opens the vault (failing fast with one
/// clear line if storage or keys are unusable), sweeps orphan blobs, and wires the router.
public func buildApplication(config: LockerConfig, logger: Logger, metrics: PrometheusCollectorRegistry? = nil) async throws -> some ApplicationProtocol {
    // A missing, unreadable or mismatched certificate or key stops start-up before storage is touched.
    let certificates = try config.tls.map { try TLSCertificates(files: $0) }
    let reloader = await CertificateReloader.trapping(certificates: certificates, logger: logger)
    let layout = StorageLayout(root: config.storagePath)
    try layout.prepare()
    // One storage folder, one lockerd: taken before anything is read, swept or migrated.
    let storageLock = try StorageLock.acquire(layout)
    var postgres: PostgresStore?
    let vault: Vault
    // An object store that cannot be reached or refuses stops start-up with one line naming it.
    let blobFiles = try config.blobStore.map { try $0.connect(layout: layout) }
    let rootKeySource = config.database == nil ? nil : config.rootKey ?? config.rootKeyFile.map(RootKeySource.file)
    if let url = config.database, let source = rootKeySource {
        // A wrong module, token label, PIN or key label stops start-up here with one line.
        let rootKey = try source.open()
        let store = try PostgresStore(url: url, blobFiles: blobFiles)
        postgres = store
        vault = try Vault.open(postgres: store, rootKey: rootKey, layout: layout)
    } else {
        vault = try Vault.open(layout: layout, backgroundCheckpoints: true, blobFiles: blobFiles)
    }
    let swept = try vault.sweepOrphanBlobs()
    logger.info("storage ready", metadata: [
        "storage": "\(config.storagePath)",
        "database": "\(config.database.map { "\($0)" } ?? "embedded SQLite")",
        "blobs": "\(config.blobStore.map { "\($0.location)" } ?? "files under storage")",
        "rootKey": "\(rootKeySource.map { "\($0)" } ?? "-")",
        "kek.primary": "\(vault.keyring.primaryVersion)",
        "vault": "\(vault.vaultID ?? "-")",
        "blobs.swept": "\(swept)",
    ])
    let sms: any SMSSender = config.smsGatewayURL.map { GatewaySMSSender(url: $0) } ?? OutboxSMSSender(path: vault.layout.outboxDirectory + "/sms.jsonl")
    if try AdminCredentials.ensureInitial(vault: vault) {
        logger.notice("first start: the admin credential for /v1/admin is in \(vault.layout.initialAdminCredentialPath) (0600); store it and delete the file")
    }
    let services = LockerServices(vault: vault, postgres: postgres, sms: sms, settings: config.settings)
    let router = buildRouter(services: services, config: config)
    // Every connection is a file: raise the soft file limit, then keep connections below it.
    let fileLimit = OpenFileLimit.raise(wanted: config.connections.maxConnections + ConnectionLimits.reservedFiles)
    let limits = config.connections.fitted(toOpenFileLimit: fileLimit)
    if limits.maxConnections < config.connections.maxConnections {
        logger.warning("maxConnections lowered to fit the open-file limit", metadata: ["configured": "\(config.connections.maxConnections)", "files": "\(fileLimit)", "maxConnections": "\(limits.maxConnections)"])
    }
    logger.info("connection limits", metadata: [
        "files": "\(fileLimit)", "maxConnections": "\(limits.maxConnections)", "maxConnectionsPerClient": "\(limits.maxPerClient)",
        "idleTimeout": "\(limits.idleTimeout)", "headerTimeout": "\(limits.headerTimeout)", "bodyTimeout": "\(limits.bodyTimeout)",
    ])
    let counter = ConnectionCounter(limits: limits, logger: logger)
    var background: [any Service] = [KeyWatcher(services: services, logger: logger), Checkpointer(services: services, logger: logger),
                                     AuditCheckpointSigner(services: services, logger: logger), Housekeeper(services: services, logger: logger),
                                     PullRetrier(services: services, logger: logger),
                                     StorageLockService(lock: storageLock), reloader]
    if let metrics, let port = config.metricsPort {
        background.append(MetricsEndpoint.application(registry: metrics, port: port, logger: logger))
        logger.info("metrics at http://127.0.0.1:\(port)/metrics")
    }
    let server: HTTPServerBuilder
    if let certificates {
        // HTTPS only: HTTP/1.1 or HTTP/2 by ALPN; SIGHUP swaps the certificate (CertificateReloader).
        server = TLSServerChannel.server(certificates: certificates, counter: counter)
        logger.info("TLS on: HTTP/1.1 and HTTP/2 (ALPN)", metadata: CertificateReloader.metadata(certificates.files, certificates.loaded))
    } else {
        // Hummingbird's own idle timer is off: ConnectionGuard keeps all three timers.
        server = .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(counter: counter)], idleTimeout: nil))
    }
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "lockerd"),
        services: background,
        logger: logger
    )
}

/// Wires middleware and routes. Everything the server answers is listed here.
public func buildRouter(services: LockerServices, config: LockerConfig) -> Router<LockerRequestContext> {
    // HEAD is answered wherever GET is: same status and headers, no body (RFC 9110 §9.3.2).
    let router = Router(context: LockerRequestContext.self, options: .autoGenerateHeadEndpoints)
    let knownRoutes = KnownRoutes()
    // Pushes carry a document (plus a little multipart framing); everything else is small JSON.
    let pushLimit = config.settings.maxDocumentBytes + config.settings.maxJSONBytes + 4096
    router.addMiddleware {
        ClientAddressMiddleware(trusted: config.trustedProxies)
        RequestLogMiddleware()
        ProblemMiddleware(knownRoutes: knownRoutes, maxUploadSize: config.maxBodyBytes, isAdmin: { request in (try? AdminController(services: services).authenticate(request)) != nil })
        PathShapeMiddleware()
        MediaTypeMiddleware()
        BodyLimitMiddleware(maxUploadSize: config.maxBodyBytes) { path in path == "/v1/issuer/documents" ? pushLimit : config.maxBodyBytes }
    }
    // Requests by route template, method and status, with latency; only when metrics are served,
    // so the default path does no metrics work at all.
    if config.metricsPort != nil { router.add(middleware: MetricsMiddleware()) }
    HealthController(storage: services.maintenance, blobDirectory: services.vault.layout.blobDirectory).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    AuthController(services: services).addRoutes(to: router)
    PushController(services: services).addRoutes(to: router)
    DocumentsController(services: services).addRoutes(to: router)
    HealthCardController(services: services).addRoutes(to: router)
    ActivityController(services: services).addRoutes(to: router)
    KYCController(services: services).addRoutes(to: router)
    JWKSController(services: services).addRoutes(to: router)
    SharesController(services: services).addRoutes(to: router)
    AdminController(services: services).addRoutes(to: router)
    PortalController(services: services).addRoutes(to: router)
    PartnerAPIController(services: services).addRoutes(to: router)
    ConnectionsController(services: services).addRoutes(to: router)
    PullController(services: services).addRoutes(to: router)
    PushURIController(services: services).addRoutes(to: router)
    knownRoutes.record(router)
    return router
}
