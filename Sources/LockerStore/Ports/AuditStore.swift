import Foundation

/// The audit chain as the features use it: durable appends and a citizen's own trail.
public protocol AuditStore: Sendable {
    /// Appends one entry and returns once it is durable.
    func appendAudit(_ entry: AuditEntry) async throws
    /// A citizen's events, newest first, before the entry `before` (a `seq`) when given.
    func events(citizenID: String, limit: Int, before: Int64?) throws -> [AuditRecord]
}
