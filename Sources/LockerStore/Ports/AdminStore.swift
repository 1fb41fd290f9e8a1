import Foundation

/// What an administrator changes from the `locker` CLI: registered parties, withdrawn
/// documents, and the audit chain's check. Each change is written with its audit entry in one
/// transaction and is durable on return.
public protocol AdminStore: Sendable {
    /// Registers an issuer; false (and nothing written) if the id is taken.
    func addIssuer(_ issuer: IssuerRecord, audit: AuditEntry) throws -> Bool
    func issuers() throws -> [IssuerRecord]
    /// Registers a verifier; false (and nothing written) if the id is taken.
    func addVerifier(_ verifier: VerifierRecord, audit: AuditEntry) throws -> Bool
    func verifiers() throws -> [VerifierRecord]
    /// Registers a partner app; false (and nothing written) if the id is taken.
    func addPartner(_ partner: PartnerRecord, audit: AuditEntry) throws -> Bool
    func partners() throws -> [PartnerRecord]
    /// Registers a pull issuer; false (and nothing written) if the id is taken.
    func addPullIssuer(_ issuer: PullIssuerRecord, audit: AuditEntry) throws -> Bool
    func pullIssuers() throws -> [PullIssuerRecord]
    /// Switches a party's API key off; false if there is no such party.
    func disable(_ party: PartyKind, id: String, audit: AuditEntry) throws -> Bool
    /// Withdraws the document at `uri`: nil if unknown, true if it was already withdrawn
    /// (nothing written), false if withdrawn now (with `audit(document)`).
    func revokeDocument(uri: String, at: Date, audit: (DocumentRecord) -> AuditEntry) throws -> Bool?
    /// How many entries the audit chain holds, and the first that does not follow from its
    /// predecessor (edited, removed or reordered), nil if intact.
    func checkAuditChain() throws -> (entries: Int, firstBroken: Int64?)
}
