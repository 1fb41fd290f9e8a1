import Foundation
import Hummingbird
import LockerCore
import LockerStore

extension Problem {
    static let unauthorized = Problem(.unauthorized, "unauthorized", "Unauthorized", detail: "A valid bearer credential is required.", headers: [.wwwAuthenticate: "Bearer"])
}

/// Bearer credentials, checked by hash lookup: the stored form is SHA-256, the lookup is by
/// that hash, and the final comparison is constant-time.
enum Authenticate {
    static func bearer(_ request: Request, prefix: String) throws -> String {
        guard let token = bearerValue(request) else { throw Problem.unauthorized }
        guard token.hasPrefix("lk_\(prefix)_"), token.utf8.count < 100 else { throw Problem.unauthorized }
        return token
    }

    /// The token of an `Authorization: Bearer …` header (scheme case-insensitive), or nil.
    static func bearerValue(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The issuer whose API key the request carries; 401 for anything else, disabled included.
    static func issuer(_ request: Request, services: LockerServices) throws -> IssuerRecord {
        let hash = Data(Credential.hash(try bearer(request, prefix: "iss")))
        guard let issuer = try services.directory.issuer(apiKeyHash: hash), !issuer.disabled,
              ConstantTime.equal([UInt8](issuer.apiKeyHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return issuer
    }

    /// The verifier whose API key the request carries; 401 for anything else, disabled included.
    static func verifier(_ request: Request, services: LockerServices) throws -> VerifierRecord {
        let hash = Data(Credential.hash(try bearer(request, prefix: "ver")))
        guard let verifier = try services.directory.verifier(apiKeyHash: hash), !verifier.disabled,
              ConstantTime.equal([UInt8](verifier.apiKeyHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return verifier
    }

    /// The live session and its citizen; 401 if missing, unknown, expired or logged out.
    static func session(_ request: Request, services: LockerServices) throws -> (session: SessionRecord, citizen: CitizenRecord) {
        try services.signIn.session(token: try bearer(request, prefix: "ses"))
    }

    /// The live session for a session token however it arrived (bearer header or portal cookie).
    static func session(token: String, services: LockerServices) throws -> (session: SessionRecord, citizen: CitizenRecord) {
        try services.signIn.session(token: token)
    }
}
