import Foundation

/// Pull issuers and the citizens' references to their documents.
public protocol PullStore: Sendable {
    func pullIssuer(id: String) throws -> PullIssuerRecord?
    func pullIssuers() throws -> [PullIssuerRecord]
    /// The owner's pulled documents, newest first.
    func pulledDocuments(ownerID: String) throws -> [PulledDocumentRecord]
    func pulledDocument(id: String, ownerID: String) throws -> PulledDocumentRecord?
    /// Pending requests whose next try is due, oldest first.
    func duePulls(now: Date, limit: Int) throws -> [PulledDocumentRecord]
    /// Inserts or updates a reference with its audit entry, durably; false (nothing written)
    /// if another reference of the owner already has its URI.
    func savePulled(_ record: PulledDocumentRecord, audit: AuditEntry?) async throws -> Bool
    /// Runs `work` in one durable write transaction (the group commit on SQLite).
    func inPullTransaction<T: Sendable>(_ work: @escaping @Sendable (any PullTransaction) throws -> T) async throws -> T
    /// Deletes the owner's reference with its audit entry; false if there is none.
    func deletePulled(id: String, ownerID: String, audit: AuditEntry) async throws -> Bool
}
