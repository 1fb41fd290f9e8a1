import Foundation

/// What the vault's key administration reads and writes: data keys (rekey, rewrap, verify),
/// the status-signing keys, and the rewrap lock. One adapter per engine (`SQLiteVaultRecords`,
/// `PostgresVaultRecords`); the crypto stays in `Vault`, written once.
public protocol VaultRecords: Sendable {
    func citizen(id: String) throws -> CitizenRecord?
    /// A document and a citizen read together (a consistent pair when a rekey races a read).
    func document(id: String, owner ownerID: String) throws -> (DocumentRecord?, CitizenRecord?)
    /// Every blob id a document references, for the start-up sweep.
    func referencedBlobIDs() throws -> Set<String>
    /// Saves a document's row, with its sealed bytes when they are inline, in one transaction.
    func saveDocument(_ record: DocumentRecord, inlineBytes: Data?) throws
    func appendAudit(_ entry: AuditEntry) throws

    /// In one transaction: reads the citizen and their documents, stores what `change` makes of
    /// them, ends the citizen's sessions and partner connections (and revokes their grants if asked),
    /// and appends `audit(citizen, documents, sessionsEnded, sharesRevoked, connectionsEnded)`. Nil if there is no such citizen. Every
    /// node stops trusting its cached sessions for the citizen before this returns.
    func rekey(citizenID: String, revokeShares: Bool, now: Date,
               change: (CitizenRecord, [DocumentRecord]) throws -> (CitizenRecord, [DocumentRecord]),
               audit: (CitizenRecord, _ documents: Int, _ sessions: Int, _ shares: Int, _ connections: Int) -> AuditEntry) throws -> (citizen: CitizenRecord, documents: Int, sessions: Int, shares: Int, connections: Int)?

    /// Wrapped keys per KEK version.
    func wrapCounts() throws -> WrapCounts
    /// Citizens whose data key is not under `version` (all citizens when nil).
    func citizenCount(notUnder version: Int?) throws -> Int
    /// The next citizens after `cursor` in storage order, with each one's cursor.
    func citizens(after cursor: Int64, notUnder version: Int?, limit: Int) throws -> [(cursor: Int64, record: CitizenRecord)]
    /// What a rewrap reads of the next citizens after `cursor` not under `version`: each one's
    /// cursor, id, wrapped data key and its KEK version, and nothing else (a rotation reads
    /// every row, so it decodes no more than it needs).
    func pendingWraps(after cursor: Int64, notUnder version: Int, limit: Int) throws -> [PendingWrap]
    /// Stores rewrapped data keys, each only if the row still holds the bytes that were
    /// rewrapped; returns how many changed.
    func storeRewrapped(_ changes: [(citizenID: String, old: Data, new: Data)], target: Int) throws -> Int
    func allDocuments() throws -> [DocumentRecord]

    func signingKeys() throws -> [SigningKeyRecord]
    /// The audit chain's last entry (sequence number and hash), nil while it is empty.
    func lastAuditEntry() throws -> (seq: Int64, hash: Data)?
    /// Live audit entries with `from <= seq <= through`, in order.
    func auditEntries(from: Int64, through: Int64) throws -> [AuditRecord]
    /// The first live entry's sequence number, and the last one's made before `date`.
    func auditRange(before date: Date) throws -> (first: Int64, last: Int64)?
    /// The archives, oldest first.
    func auditArchives() throws -> [AuditArchiveRecord]
    /// In one transaction: records `archive`, deletes the live entries it holds (the one
    /// deletion the append-only log allows), and appends `audit`.
    func recordAuditArchive(_ archive: AuditArchiveRecord, audit: AuditEntry) throws
    /// The hash of audit entry `seq`, nil if there is no such entry.
    func auditHash(seq: Int64) throws -> Data?
    /// The newest signing key of kind `alg` not retired.
    func activeSigningKey(alg: String) throws -> SigningKeyRecord?
    /// Stores `fresh` unless a key of its kind became active meanwhile; returns the active key.
    func insertSigningKeyUnlessActive(_ fresh: SigningKeyRecord) throws -> SigningKeyRecord
    /// Retires every active key of `fresh`'s kind (published until `publishUntil`), stores
    /// `fresh` and appends `audit(retired kids)`, in one transaction; returns the retired kids.
    func rollSigningKeys(to fresh: SigningKeyRecord, now: Date, publishUntil: Date, audit: ([String]) -> AuditEntry) throws -> [String]
    func storeRewrappedSigningKeys(_ changes: [(kid: String, old: Data, new: Data)], target: Int) throws -> Int

    /// Hashes of the admin credentials not revoked.
    func liveAdminCredentialHashes() throws -> [Data]
    /// Stores a new admin credential's hash (revoking the others if asked) with its audit entry.
    func storeAdminCredential(id: String, hash: Data, revokeOthers: Bool, now: Date, audit: AuditEntry) throws

    /// The deployment-wide rewrap lock, held while the returned object lives; nil at once if
    /// another process holds it and `wait` is false.
    func rewrapLock(wait: Bool) throws -> AnyObject?
}
