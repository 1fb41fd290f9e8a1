import Crypto
import Foundation
import LockerCore
import LockerStore
import NIOPosix

/// Everything the controllers share, built once in `buildApplication`.
public struct LockerServices: Sendable {
    public let vault: Vault
    public let committer: GroupCommitter
    public let sms: any SMSSender
    public let settings: Settings
    /// Wall clock; tests replace it to move time without sleeping.
    public let clock: @Sendable () -> Date
    /// Threads for blocking file work (fsync), so request tasks never wait on the disk.
    public let blockingIO: NIOThreadPool
    /// Server key for OTP hashes and for sealing mobiles in challenges; derived from the
    /// keyring's index key, so it needs no file of its own and survives KEK rotation.
    let challengeKey: SymmetricKey
    let pendingCitizens: PendingCitizens
    /// Recently checked sessions, so a download does not pay a database read to authenticate.
    let sessionCache: SessionCache
    /// Status answers for KYC-VS (and status-scope grants).
    public let status: StatusService

    public init(vault: Vault, sms: any SMSSender, settings: Settings, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.vault = vault
        self.committer = GroupCommitter(database: vault.database)
        self.sms = sms
        self.settings = settings
        self.clock = clock
        self.blockingIO = Self.sharedBlockingIO
        self.challengeKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: vault.keyring.indexKey, info: Array("locker-challenge-key-v1".utf8), outputByteCount: 32)
        self.pendingCitizens = PendingCitizens()
        self.sessionCache = SessionCache(lifetime: settings.sessionCacheSeconds, epoch: SessionEpoch(layout: vault.layout))
        self.status = StatusService(vault: vault, issuerURL: settings.publicURL)
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

    /// Keyed hash of a client address (rate limits without storing addresses in clear).
    func clientHash(_ address: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Array("client:\(address)".utf8), using: challengeKey))
    }
}

