import Foundation

/// Who may push and who may ask: the registered issuers and verifiers, read by the services
/// that authenticate them and by the pages that name them.
public protocol DirectoryStore: Sendable {
    func issuer(id: String) throws -> IssuerRecord?
    func issuer(apiKeyHash: Data) throws -> IssuerRecord?
    /// Every issuer's display name by id.
    func issuerNames() throws -> [String: String]
    func verifier(apiKeyHash: Data) throws -> VerifierRecord?
    func verifier(id: String) throws -> VerifierRecord?
}
