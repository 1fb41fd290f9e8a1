import Crypto
import Foundation
import LockerCore
import LockerStore
import NIOPosix

/// The composition root: the storage adapter behind every port, and the feature services the
/// controllers call, built once in `buildApplication`.
public struct LockerServices: Sendable {
    public let vault: Vault
    public let sms: any SMSSender
    public let settings: Settings
    /// Wall clock; tests replace it to move time without sleeping.
    public let clock: @Sendable () -> Date
    /// Threads for blocking file work (fsync), so request tasks never wait on the disk.
    public let blockingIO: NIOThreadPool
    /// The storage adapter behind every port: the embedded `SQLiteStore` (SQLite + the blob
    /// folder) or the shared `PostgresStore`.
    public let storage: any LockerStorage
    var directory: any DirectoryStore { storage }
    var audit: any AuditStore { storage }
    var maintenance: any StorageMaintenance { storage }
    /// SMART Health Cards of the citizens' vaccination certificates (the API's and the portal's).
    var healthCards: HealthCardService {
        HealthCardService(documents: documents, store: storage, vault: vault, issuerURL: settings.publicURL, audit: audit, clock: clock)
    }
    /// The server's own secret for OTP hashes, sealed mobiles in challenges, share passcodes
    /// and the portal's CSRF tokens; derived from the keyring's index key, so it needs no file
    /// of its own and survives KEK rotation.
    let challengeKey: SymmetricKey
    /// Recently checked sessions, so a download does not pay a database read to authenticate.
    let sessionCache: SessionCache
    /// The latest signed audit checkpoint (`AuditCheckpointSigner`, `/v1/admin/audit/checkpoint`).
    let auditCheckpoints = AuditCheckpoints()
    /// Status answers for KYC-VS (and status-scope grants).
    public let status: StatusService
    let signIn: SignInService
    let kyc: KYCService
    let documents: DocumentService
    let shares: ShareService
    let pushes: PushService
    let partners: PartnerService
    let pull: PullService

    /// `postgres`: the shared store the vault was opened on; nil for the embedded default.
    public init(vault: Vault, postgres: PostgresStore? = nil, sms: any SMSSender, settings: Settings, clock: @escaping @Sendable () -> Date = { Date() }) {
        let storage: any LockerStorage = postgres ?? SQLiteStore(vault: vault)
        self.vault = vault
        self.storage = storage
        self.sms = sms
        self.settings = settings
        self.clock = clock
        let blockingIO = Self.sharedBlockingIO
        self.blockingIO = blockingIO
        let challengeKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: vault.keyring.indexKey, info: Array("locker-challenge-key-v1".utf8), outputByteCount: 32)
        self.challengeKey = challengeKey
        let otp = OTPChallenge(key: challengeKey, lifetime: settings.otpLifetime, maxAttempts: settings.otpMaxAttempts)
        let epoch: @Sendable () -> String?
        if let notices = postgres?.notices {
            epoch = { String(notices.stamp(PostgresNotices.sessions)) }
        } else {
            let file = SessionEpoch(layout: vault.layout)
            epoch = { file.stamp() }
        }
        let sessionCache = SessionCache(lifetime: settings.sessionCacheSeconds, epoch: epoch)
        self.sessionCache = sessionCache
        let status = StatusService(vault: vault, store: storage, issuerURL: settings.publicURL)
        self.status = status
        signIn = SignInService(store: storage, otp: otp, vault: vault, sms: sms, settings: settings, sessionCache: sessionCache, clock: clock)
        kyc = KYCService(store: storage, otp: otp, status: status, audit: storage, vault: vault, sms: sms, settings: settings, clock: clock)
        documents = DocumentService(store: storage, directory: storage, audit: storage, vault: vault, clock: clock)
        shares = ShareService(store: storage, documents: storage, pulls: storage, directory: storage, vault: vault, status: status, passcodeKey: challengeKey, clock: clock)
        partners = PartnerService(store: storage, clock: clock)
        pull = PullService(store: storage, audit: storage, vault: vault, settings: settings, clock: clock)
        pushes = PushService(store: storage, vault: vault, pendingCitizens: PendingCitizens(), settings: settings, clock: clock,
                             blocking: { work in try await blockingIO.runIfActive(work) })
    }

    /// One pool per process: fsyncs wait on the disk, not the CPU, so more threads than cores
    /// let many pushes' fsyncs be in flight at once.
    static let sharedBlockingIO: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Runs blocking work on the I/O pool.
    func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await blockingIO.runIfActive(work)
    }
}
