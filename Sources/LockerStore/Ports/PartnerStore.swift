import Foundation

/// Partner apps' connections, codes and tokens. A code's or refresh token's check and spend run
/// in one `PartnerTransaction`, so a token is spent exactly once across nodes.
public protocol PartnerStore: Sendable {
    func partner(id: String) throws -> PartnerRecord?
    /// The token with this hash, its connection, partner and citizen (ended and expired ones
    /// included: the caller judges them).
    func partnerAccess(tokenHash: Data) throws -> PartnerAccess?
    /// The citizen's connections, newest first, with their partners.
    func connections(citizenID: String) throws -> [(PartnerConnectionRecord, PartnerRecord)]
    /// Runs `work` in one durable write transaction (the group commit on SQLite).
    func inPartnerTransaction<T: Sendable>(_ work: @escaping @Sendable (any PartnerTransaction) throws -> T) async throws -> T
}
