import Foundation

/// What a share rule may do inside one transaction.
public protocol ShareTransaction {
    /// The grant behind a token with its document and owner.
    func grant(tokenHash: Data) throws -> (ShareRecord, DocumentRecord, CitizenRecord)?
    /// The grant behind a token on a document kept by its issuer, with that reference and owner.
    func pulledGrant(tokenHash: Data) throws -> (ShareRecord, PulledDocumentRecord, CitizenRecord)?
    func share(id: String) throws -> ShareRecord?
    /// Writes a grant's changed fields (revocation, wrong-passcode count).
    func update(_ share: ShareRecord) throws
    /// Spends one use if, at this instant, the grant is live (unrevoked, unexpired, unlocked,
    /// not used up) and its document unrevoked; false, and nothing changed, otherwise.
    func spendShareUse(id: String, now: Date) throws -> Bool
    /// Gives back one use spent on a redemption that delivered nothing.
    func refundShareUse(id: String) throws
    func appendAudit(_ entry: AuditEntry) throws
}
