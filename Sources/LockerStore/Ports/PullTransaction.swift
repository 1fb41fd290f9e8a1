import Foundation

/// What an issuer's Push URI call may do inside one transaction.
public protocol PullTransaction {
    /// Spends the issuer's one-time `ts`; false if it was spent before (a replay).
    func spendPushURINonce(issuerID: String, ts: String, at: Date) throws -> Bool
    func pulledDocument(ownerID: String, uri: String) throws -> PulledDocumentRecord?
    func savePulled(_ record: PulledDocumentRecord) throws
    func deletePulled(id: String) throws
    func appendAudit(_ entry: AuditEntry) throws
}
