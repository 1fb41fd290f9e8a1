import Foundation
import GRDB
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
        guard let header = request.headers[.authorization] else { throw Problem.unauthorized }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw Problem.unauthorized }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard token.hasPrefix("lk_\(prefix)_"), token.utf8.count < 100 else { throw Problem.unauthorized }
        return token
    }

    /// The issuer whose API key the request carries; 401 for anything else, disabled included.
    static func issuer(_ request: Request, services: LockerServices) throws -> IssuerRecord {
        let key = try bearer(request, prefix: "iss")
        let hash = Data(Credential.hash(key))
        let issuer = try services.vault.database.read { db in try HotQueries.issuer(db, apiKeyHash: hash) }
        guard let issuer, !issuer.disabled, ConstantTime.equal([UInt8](issuer.apiKeyHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return issuer
    }

    /// The live session and its citizen; 401 if missing, unknown, expired or logged out.
    static func session(_ request: Request, services: LockerServices) throws -> (session: SessionRecord, citizen: CitizenRecord) {
        try session(token: try bearer(request, prefix: "ses"), services: services)
    }

    /// The live session for a session token however it arrived (bearer header or portal cookie).
    static func session(token: String, services: LockerServices) throws -> (session: SessionRecord, citizen: CitizenRecord) {
        guard token.hasPrefix("lk_ses_"), token.utf8.count < 100 else { throw Problem.unauthorized }
        let hash = Data(Credential.hash(token))
        let now = services.clock()
        let found: (SessionRecord, CitizenRecord)?
        let cached = services.sessionCache.get(hash, now: now)
        if let value = cached.value {
            found = value
        } else {
            found = try services.vault.database.read { db in try HotQueries.session(db, tokenHash: hash) }
            if let found { services.sessionCache.put(hash, found, now: now, epoch: cached.epoch) }
        }
        guard let (session, citizen) = found, session.revokedAt == nil, session.expiresAt > now,
              ConstantTime.equal([UInt8](session.tokenHash), [UInt8](hash)) else { throw Problem.unauthorized }
        return (session, citizen)
    }
}
