import Foundation

/// What the partner rules may do inside one transaction.
public protocol PartnerTransaction {
    func partner(id: String) throws -> PartnerRecord?
    func partnerToken(hash: Data) throws -> PartnerTokenRecord?
    /// The connection, locked until commit where the engine locks rows.
    func connection(id: String) throws -> PartnerConnectionRecord?
    func insertConnection(_ connection: PartnerConnectionRecord) throws
    /// Writes a connection's changed fields (last use, end).
    func updateConnection(_ connection: PartnerConnectionRecord) throws
    func insertPartnerToken(_ token: PartnerTokenRecord) throws
    /// Spends a code or refresh token if it is unspent; false, and nothing changed, if it was
    /// spent already (a replay).
    func spendPartnerToken(hash: Data, at: Date) throws -> Bool
    func appendAudit(_ entry: AuditEntry) throws
}
