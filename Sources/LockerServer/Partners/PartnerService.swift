import Foundation
import LockerCore
import LockerStore

/// Partner apps acting for a citizen who consented: the consent's code, the token exchanges
/// (authorization code with PKCE, rotating refresh tokens), revocation, and the checks and
/// audit of every access. Codes and tokens are stored only as SHA-256; a code or refresh token
/// presented a second time ends its connection (RFC 6749 §4.1.2, RFC 9700 §4.14.2).
struct PartnerService: Sendable {
    let store: any PartnerStore
    let clock: @Sendable () -> Date

    static let codeLifetime: TimeInterval = 60
    static let accessLifetime: TimeInterval = 3600

    func partner(id: String) throws -> PartnerRecord? { try store.partner(id: id) }

    // MARK: Consent

    /// The citizen allowed the request: a new connection and its code, one transaction.
    func approve(_ request: AuthorizationRequest, citizen: CitizenRecord) async throws -> String {
        let now = clock()
        let code = Credential.make(prefix: "pco")
        let connection = PartnerConnectionRecord(id: SecureRandom.identifier(), partnerID: request.partner.id, citizenID: citizen.id,
                                                 scopes: request.scopes.map(\.rawValue), createdAt: now,
                                                 expiresAt: now.addingTimeInterval(PartnerConnectionRecord.lifetime))
        let token = PartnerTokenRecord(tokenHash: Data(Credential.hash(code)), kind: .code, connectionID: connection.id, partnerID: request.partner.id,
                                       redirectURI: request.redirectURI, codeChallenge: request.codeChallenge,
                                       createdAt: now, expiresAt: now.addingTimeInterval(Self.codeLifetime))
        let audit = entry("partner.connected", connection, partnerName: request.partner.name, at: now, extra: ["scopes": connection.scopes])
        try await store.inPartnerTransaction { tx in
            try tx.insertConnection(connection)
            try tx.insertPartnerToken(token)
            try tx.appendAudit(audit)
        }
        return code
    }

    // MARK: Token endpoint

    /// The client, authenticated: registered, enabled, and holding its secret if it has one.
    func authenticate(_ credentials: ClientCredentials) throws -> PartnerRecord {
        guard Validate.issuerID(credentials.clientID), let partner = try store.partner(id: credentials.clientID), !partner.disabled else {
            throw OAuthError.invalidClient(basic: credentials.basic)
        }
        switch (partner.secretHash, credentials.secret) {
        case (nil, nil): return partner
        case (let stored?, let given?) where given.utf8.count < 200 && ConstantTime.equal([UInt8](stored), Credential.hash(given)): return partner
        default: throw OAuthError.invalidClient(basic: credentials.basic)
        }
    }

    /// `grant_type=authorization_code`.
    func exchange(code: String, redirectURI: String, verifier: String, client: PartnerRecord) async throws -> TokenAnswer {
        let now = clock()
        let hash = Data(Credential.hash(code))
        let issued = try await store.inPartnerTransaction { tx -> Result<TokenAnswer, OAuthError> in
            guard let token = try tx.partnerToken(hash: hash), token.kind == .code, token.partnerID == client.id,
                  var connection = try tx.connection(id: token.connectionID) else {
                return .failure(.invalidGrant("The code is unknown or was issued to another client."))
            }
            guard try tx.spendPartnerToken(hash: hash, at: now) else {
                // A replay: whoever holds the tokens issued from this code loses them.
                try end(&connection, reason: "code-replayed", partnerName: client.name, at: now, in: tx)
                return .failure(.invalidGrant("The code was already used; the connection made with it has been ended."))
            }
            guard token.expiresAt > now else { return .failure(.invalidGrant("The code has expired (codes live \(Int(Self.codeLifetime)) seconds).")) }
            guard token.redirectURI == redirectURI else { return .failure(.invalidGrant("redirect_uri differs from the authorization request's.")) }
            guard let challenge = token.codeChallenge, PKCE.verify(verifier: verifier, challenge: challenge) else {
                return .failure(.invalidGrant("code_verifier does not match the code_challenge (S256)."))
            }
            guard connection.isLive(at: now) else { return .failure(.invalidGrant("The connection has ended.")) }
            return .success(try issueTokens(connection, at: now, in: tx))
        }
        return try issued.get()
    }

    /// `grant_type=refresh_token`: the refresh token is spent and a new one issued with the new
    /// access token; a spent one presented again ends the connection.
    func refresh(_ refreshToken: String, client: PartnerRecord) async throws -> TokenAnswer {
        let now = clock()
        let hash = Data(Credential.hash(refreshToken))
        let issued = try await store.inPartnerTransaction { tx -> Result<TokenAnswer, OAuthError> in
            guard let token = try tx.partnerToken(hash: hash), token.kind == .refresh, token.partnerID == client.id,
                  var connection = try tx.connection(id: token.connectionID) else {
                return .failure(.invalidGrant("The refresh token is unknown or was issued to another client."))
            }
            guard connection.isLive(at: now), token.expiresAt > now else { return .failure(.invalidGrant("The connection has ended or expired.")) }
            guard try tx.spendPartnerToken(hash: hash, at: now) else {
                try end(&connection, reason: "refresh-reused", partnerName: client.name, at: now, in: tx)
                return .failure(.invalidGrant("The refresh token was already used; the connection has been ended."))
            }
            return .success(try issueTokens(connection, at: now, in: tx))
        }
        return try issued.get()
    }

    /// RFC 7009: the client's own access or refresh token ends its connection; anything else
    /// is ignored (the answer is the same).
    func revoke(_ token: String, client: PartnerRecord) async throws {
        let now = clock()
        let hash = Data(Credential.hash(token))
        try await store.inPartnerTransaction { tx in
            guard let token = try tx.partnerToken(hash: hash), token.partnerID == client.id,
                  var connection = try tx.connection(id: token.connectionID), connection.endedAt == nil else { return }
            try end(&connection, reason: "revoked-by-partner", partnerName: client.name, at: now, in: tx)
        }
    }

    private func issueTokens(_ connection: PartnerConnectionRecord, at now: Date, in tx: any PartnerTransaction) throws -> TokenAnswer {
        let access = Credential.make(prefix: "pat")
        let refresh = Credential.make(prefix: "prt")
        try tx.insertPartnerToken(PartnerTokenRecord(tokenHash: Data(Credential.hash(access)), kind: .access, connectionID: connection.id,
                                                     partnerID: connection.partnerID, createdAt: now,
                                                     expiresAt: min(now.addingTimeInterval(Self.accessLifetime), connection.expiresAt)))
        try tx.insertPartnerToken(PartnerTokenRecord(tokenHash: Data(Credential.hash(refresh)), kind: .refresh, connectionID: connection.id,
                                                     partnerID: connection.partnerID, createdAt: now, expiresAt: connection.expiresAt))
        let lifetime = Int(min(Self.accessLifetime, connection.expiresAt.timeIntervalSince(now)))
        return TokenAnswer(accessToken: access, expiresIn: lifetime, refreshToken: refresh, scope: connection.scopes, digilockerID: connection.citizenID)
    }

    private func end(_ connection: inout PartnerConnectionRecord, reason: String, partnerName: String, at now: Date, in tx: any PartnerTransaction) throws {
        guard connection.endedAt == nil else { return }
        connection.endedAt = now
        connection.endedReason = reason
        try tx.updateConnection(connection)
        try tx.appendAudit(entry("partner.disconnected", connection, partnerName: partnerName, at: now, extra: ["reason": reason]))
    }

    // MARK: Access

    /// What a bearer access token stands for, if it works now and allows `scope`.
    func access(token: String, scope: PartnerScope?) throws -> PartnerAccess {
        let now = clock()
        guard token.hasPrefix("lk_pat_"), token.utf8.count < 100,
              let access = try store.partnerAccess(tokenHash: Data(Credential.hash(token))), access.token.kind == .access,
              access.token.expiresAt > now, access.connection.isLive(at: now), !access.partner.disabled else { throw OAuthError.invalidToken }
        if let scope, !access.connection.scopeList.contains(scope.rawValue) { throw OAuthError.insufficientScope(scope) }
        return access
    }

    /// Records an access (its audit entry and the connection's last use) durably, before anything is sent.
    /// `pulledURI`: a document kept by its issuer, fetched for this access.
    func record(_ action: String, _ access: PartnerAccess, document: DocumentRecord? = nil, pulledURI: String? = nil) async throws {
        let now = clock()
        var detail = ["partner": access.partner.id, "partnerName": access.partner.name, "connection": access.connection.id]
        if let document { detail["uri"] = document.uri }
        if let pulledURI {
            detail["uri"] = pulledURI
            detail["pulled"] = "true"
        }
        let audit = AuditEntry(at: now, action: action, actor: "partner", citizenID: access.citizen.id, documentID: document?.id, detail: detail)
        let connectionID = access.connection.id
        try await store.inPartnerTransaction { tx in
            if var connection = try tx.connection(id: connectionID) {
                connection.lastUsedAt = now
                try tx.updateConnection(connection)
            }
            try tx.appendAudit(audit)
        }
    }

    // MARK: The citizen's side

    /// The citizen's live connections, newest first.
    func connections(of citizen: CitizenRecord) throws -> [(PartnerConnectionRecord, PartnerRecord)] {
        let now = clock()
        return try store.connections(citizenID: citizen.id).filter { $0.0.isLive(at: now) }
    }

    /// Ends one of the citizen's connections at once; 404 for anyone else's or an unknown id.
    func disconnect(citizen: CitizenRecord, id: String?) async throws {
        guard let id, Validate.localID(id) else { throw Problem.notFound }
        let now = clock()
        let found = try await store.inPartnerTransaction { tx -> Bool in
            guard var connection = try tx.connection(id: id), connection.citizenID == citizen.id, connection.endedAt == nil else { return false }
            let name = try tx.partner(id: connection.partnerID)?.name ?? connection.partnerID
            try end(&connection, reason: "disconnected", partnerName: name, at: now, in: tx)
            return true
        }
        guard found else { throw Problem.notFound }
    }

    private func entry(_ action: String, _ connection: PartnerConnectionRecord, partnerName: String, at now: Date, extra: [String: String] = [:]) -> AuditEntry {
        AuditEntry(at: now, action: action, actor: action == "partner.connected" || extra["reason"] == "disconnected" ? "citizen" : "partner",
                   citizenID: connection.citizenID,
                   detail: ["partner": connection.partnerID, "partnerName": partnerName, "connection": connection.id].merging(extra) { a, _ in a })
    }
}
