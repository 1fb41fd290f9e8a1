import Crypto
import Foundation
import GRDB
import LockerCore
import LockerStore
import Logging
import Testing
@testable import LockerServer

/// The partner-app rules, called on `PartnerService` over the real SQLite adapter with a clock
/// the test moves: each test fails if the rule it names is taken out.
@Suite("Partner app rules")
struct PartnerRuleTests {
    static let verifier = String(repeating: "k", count: 43) + "-._~"
    static var challenge: String { Base64URL.encode(SHA256.hash(data: Array(verifier.utf8))) }

    struct World {
        let h: Harness
        let partner: PartnerRecord
        let other: PartnerRecord
        let citizen: CitizenRecord
        var partners: PartnerService { h.services.partners }

        init() async throws {
            h = try Harness()
            partner = PartnerRecord(id: "in.rail.app", name: "Rail App", redirectURIs: ["http://127.0.0.1:9/cb"], secretHash: nil, createdAt: h.clock.now)
            other = PartnerRecord(id: "in.other.app", name: "Other App", redirectURIs: ["http://127.0.0.1:9/cb"], secretHash: nil, createdAt: h.clock.now)
            let (partner, other) = (partner, other)
            try await h.vault.database.pool.write { db in try partner.insert(db); try other.insert(db) }
            let challenge = try await h.services.signIn.startSignIn(mobile: "+919800000055", clientAddress: "127.0.0.1", logger: Logger(label: "test"))
            let (token, _) = try await h.services.signIn.finishSignIn(challengeID: challenge.id, code: try #require(h.sms.lastOTP(for: "+919800000055")))
            citizen = try h.services.signIn.session(token: token).citizen
        }

        func code(scopes: [PartnerScope] = PartnerScope.allCases) async throws -> String {
            try await partners.approve(AuthorizationRequest(partner: partner, redirectURI: "http://127.0.0.1:9/cb", state: nil,
                                                            codeChallenge: PartnerRuleTests.challenge, scopes: scopes), citizen: citizen)
        }

        func exchange(_ code: String, verifier: String = PartnerRuleTests.verifier, client: PartnerRecord? = nil) async throws -> TokenAnswer {
            try await partners.exchange(code: code, redirectURI: "http://127.0.0.1:9/cb", verifier: verifier, client: client ?? partner)
        }
    }

    static func oauthError(_ work: () async throws -> Void) async -> String? {
        do { try await work() } catch let error as OAuthError { return error.code } catch { return "\(type(of: error))" }
        return nil
    }

    @Test("a code lives 60 s, is bound to its client and its verifier, and is spent by one exchange")
    func codeRules() async throws {
        let w = try await World()
        let late = try await w.code()
        w.h.clock.advance(61)
        #expect(await Self.oauthError { _ = try await w.exchange(late) } == "invalid_grant")
        let code = try await w.code()
        #expect(await Self.oauthError { _ = try await w.exchange(code, client: w.other) } == "invalid_grant", "another client's code")
        #expect(await Self.oauthError { _ = try await w.exchange(code, verifier: String(repeating: "x", count: 43)) } == "invalid_grant", "wrong verifier")
        let fresh = try await w.code()
        #expect(await Self.oauthError { _ = try await w.exchange(fresh, client: w.other) } == "invalid_grant")
        let answer = try await w.exchange(fresh)
        #expect(answer.expiresIn == 3600 && answer.scope == "files.list files.download" && answer.digilockerID == w.citizen.id)
        #expect(try w.partners.access(token: answer.accessToken, scope: .download).citizen.id == w.citizen.id)
    }

    @Test("a replayed code ends the connection: the tokens issued from it stop working")
    func codeReplay() async throws {
        let w = try await World()
        let code = try await w.code()
        let answer = try await w.exchange(code)
        #expect(await Self.oauthError { _ = try await w.exchange(code) } == "invalid_grant")
        #expect(await Self.oauthError { _ = try w.partners.access(token: answer.accessToken, scope: nil) } == "invalid_token")
        #expect(await Self.oauthError { _ = try await w.partners.refresh(answer.refreshToken, client: w.partner) } == "invalid_grant")
        #expect(try w.partners.connections(of: w.citizen).isEmpty)
    }

    @Test("refresh tokens rotate; a spent one presented again ends the whole connection")
    func refreshRotation() async throws {
        let w = try await World()
        let first = try await w.exchange(try await w.code())
        let second = try await w.partners.refresh(first.refreshToken, client: w.partner)
        #expect(second.refreshToken != first.refreshToken && second.accessToken != first.accessToken)
        #expect(await Self.oauthError { _ = try await w.partners.refresh(second.refreshToken, client: w.other) } == "invalid_grant")
        _ = try w.partners.access(token: second.accessToken, scope: .list)
        #expect(await Self.oauthError { _ = try await w.partners.refresh(first.refreshToken, client: w.partner) } == "invalid_grant")
        #expect(await Self.oauthError { _ = try w.partners.access(token: second.accessToken, scope: .list) } == "invalid_token")
        #expect(await Self.oauthError { _ = try await w.partners.refresh(second.refreshToken, client: w.partner) } == "invalid_grant")
    }

    @Test("access tokens expire after an hour, connections after 30 days; scopes are enforced")
    func lifetimes() async throws {
        let w = try await World()
        let answer = try await w.exchange(try await w.code(scopes: [.list]))
        #expect(await Self.oauthError { _ = try w.partners.access(token: answer.accessToken, scope: .download) } == "insufficient_scope")
        w.h.clock.advance(3601)
        #expect(await Self.oauthError { _ = try w.partners.access(token: answer.accessToken, scope: .list) } == "invalid_token")
        let renewed = try await w.partners.refresh(answer.refreshToken, client: w.partner)
        _ = try w.partners.access(token: renewed.accessToken, scope: .list)
        w.h.clock.advance(PartnerConnectionRecord.lifetime)
        #expect(await Self.oauthError { _ = try await w.partners.refresh(renewed.refreshToken, client: w.partner) } == "invalid_grant")
        #expect(try w.partners.connections(of: w.citizen).isEmpty)
    }

    @Test("a disabled partner's tokens and client authentication stop working at once")
    func disabledPartner() async throws {
        let w = try await World()
        let answer = try await w.exchange(try await w.code())
        try await w.h.vault.database.pool.write { db in try db.execute(sql: "UPDATE partners SET disabled = 1 WHERE id = 'in.rail.app'") }
        #expect(await Self.oauthError { _ = try w.partners.access(token: answer.accessToken, scope: nil) } == "invalid_token")
        #expect(await Self.oauthError { _ = try w.partners.authenticate(ClientCredentials(clientID: "in.rail.app", secret: nil, basic: false)) } == "invalid_client")
    }

    @Test("the citizen's disconnect, the partner's revoke and a rekey each end the connection")
    func endings() async throws {
        let w = try await World()
        let a = try await w.exchange(try await w.code())
        let id = try #require(try w.partners.connections(of: w.citizen).first?.0.id)
        try await w.partners.disconnect(citizen: w.citizen, id: id)
        #expect(await Self.oauthError { _ = try w.partners.access(token: a.accessToken, scope: nil) } == "invalid_token")
        let b = try await w.exchange(try await w.code())
        try await w.partners.revoke(b.refreshToken, client: w.other)
        _ = try w.partners.access(token: b.accessToken, scope: nil)  // another client's revoke changes nothing
        try await w.partners.revoke(b.refreshToken, client: w.partner)
        #expect(await Self.oauthError { _ = try w.partners.access(token: b.accessToken, scope: nil) } == "invalid_token")
        let c = try await w.exchange(try await w.code())
        let report = try w.h.vault.rekeyCitizen(id: w.citizen.id, revokeShares: false, actor: "admin")
        #expect(report.partnerConnectionsEnded == 1)
        #expect(await Self.oauthError { _ = try w.partners.access(token: c.accessToken, scope: nil) } == "invalid_token")
        let actions = try w.h.services.audit.events(citizenID: w.citizen.id, limit: 50, before: nil).map(\.action)
        #expect(actions.filter { $0 == "partner.disconnected" }.count == 2 && actions.filter { $0 == "partner.connected" }.count == 3)
    }

    @Test("pruning deletes expired codes and tokens and ended connections, never audit entries")
    func pruning() async throws {
        let w = try await World()
        _ = try await w.code()
        w.h.clock.advance(1)
        let answer = try await w.exchange(try await w.code())
        let id = try #require(try w.partners.connections(of: w.citizen).first?.0.id, "the newest: the exchanged one")
        try await w.partners.disconnect(citizen: w.citizen, id: id)
        let audit = try await w.h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") }
        w.h.clock.advance(Pruning.keep + 61)
        let counts = try await w.h.services.maintenance.pruneExpired(now: w.h.clock.now)
        // The disconnected connection with its code, access and refresh tokens, and the other's
        // expired, unused code; the other connection itself lasts its 30 days.
        #expect(counts.partnerConnections == 1 && counts.partnerTokens == 4, "\(counts)")
        #expect(await Self.oauthError { _ = try w.partners.access(token: answer.accessToken, scope: nil) } == "invalid_token")
        #expect(try await w.h.vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") } == audit)
    }
}
