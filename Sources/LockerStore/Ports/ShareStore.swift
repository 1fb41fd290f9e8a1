import Foundation

/// Access grants. A redemption's check and spend run in one `ShareTransaction`, so nothing
/// changes between them and N uses mean exactly N successful redemptions.
public protocol ShareStore: Sendable {
    /// Stores a new grant and its audit entry together; returns once durable.
    func createShare(_ share: ShareRecord, audit: AuditEntry) async throws
    /// The owner's grants, newest first.
    func shares(ownerID: String) throws -> [ShareRecord]
    /// The grant with this token hash, its document and that document's issuer name, read
    /// without changing anything (the link page).
    func link(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, issuerName: String)?
    /// The same for a grant on a document kept by its issuer (`PulledDocumentRecord`).
    func pulledLink(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, issuerName: String)?
    /// Runs `work` in one durable write transaction (the group commit on SQLite).
    func inShareTransaction<T: Sendable>(_ work: @escaping @Sendable (any ShareTransaction) throws -> T) async throws -> T
}
