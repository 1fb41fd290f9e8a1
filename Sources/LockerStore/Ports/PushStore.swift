import Foundation

/// Issuers' pushes and revocations.
public protocol PushStore: Sendable {
    /// In one read: the citizen with this keyed mobile hash and the document at this URI.
    func citizenAndDocument(mobileHash: Data, uri: String) throws -> (citizen: CitizenRecord?, document: DocumentRecord?)
    /// Stores one pushed version with its audit entry, atomically, once durable. `newCitizen`
    /// is created with it when the push made the citizen; `inlineBlob` is the sealed document
    /// when it is small enough to live in the database; `replacedBlobID` the previous
    /// version's blob, deleted with it. If the document is not stored, its blob (a spilled
    /// file) is removed. Throws `PushConflict` when a concurrent change got there first.
    func storeDocument(_ document: DocumentRecord, newCitizen: CitizenRecord?, inlineBlob: Data?, replacedBlobID: String?, audit: AuditEntry) async throws
    /// Revokes the document at `uri` (once) and records `audit(document)`; nil if unknown.
    func revokeDocument(uri: String, at: Date, audit: @escaping @Sendable (DocumentRecord) -> AuditEntry) async throws -> DocumentRecord?
}
