import Crypto
import Foundation
import GRDB
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import LockerCore
import LockerStore
import Testing
@testable import LockerServer

/// The checks docs/api.md tells a verifier to make on a KYC-VS answer, written as a verifier
/// would: signature by the JWKS key named by `kid`, `typ`, `kind`, `aud`, `exp`, `nonce`.
/// Returns the payload, or nil for anything that is not a live answer for this verifier.
func verifyKYCAnswer(_ jws: String, jwks: [[String: String]], verifierID: String, nonce: String?, now: Date) -> [String: Any]? {
    let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
          let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
          header["alg"] as? String == "Ed25519", header["typ"] as? String == "kyc-vs+jwt",
          let jwk = jwks.first(where: { $0["kid"] == header["kid"] as? String }), let x = jwk["x"].flatMap(Base64URL.decode),
          let key = try? Curve25519.Signing.PublicKey(rawRepresentation: x),
          let payload = CompactJWS.verify(jws, publicKey: key),
          payload["kind"] as? String == "kyc-vs", payload["aud"] as? String == verifierID,
          let exp = payload["exp"] as? Int, exp > Int(now.timeIntervalSince1970),
          payload["nonce"] as? String == nonce else { return nil }
    return payload
}

@Suite("KYC-VS hardening")
struct KYCHardeningTests {
    let cowin = TestIssuer(id: "in.gov.cowin")
    let board = TestIssuer(id: "in.school.board")
    let irctc = TestVerifier(id: "irctc", origins: ["https://www.irctc.co.in"])
    let twoSites = TestVerifier(id: "twosites", origins: ["https://one.example", "https://two.example:8443"])
    let mobile = "+919800000001"

    func setUp() throws -> Harness {
        let h = try Harness()
        try h.register(cowin, name: "CoWIN", docTypes: ["VACER"])
        try h.register(board, name: "School Board", docTypes: ["MARKS"])
        try h.register(irctc, name: "IRCTC")
        try h.register(twoSites, name: "Two Sites")
        return h
    }

    func status(_ client: some TestClientProtocol, _ h: Harness) async throws -> Int? {
        h.clock.advance(800)  // under the per-number request limit
        return try await client.statusAnswer(irctc, mobile: mobile, name: "Asha Verma", harness: h)["status"] as? Int
    }

    @Test("a push of a document type the issuer is not registered for is refused with 403 before anything is stored")
    func docTypeNotAllowed() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let refused = try await client.push(board, try Harness.pushBody(board, metadata: Harness.vacer(mobile, docId: "ROGUE", doses: 0), content: [1]))
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(try problem(refused)["type"] as? String == "/problems/doc-type-not-allowed")
            #expect(try h.vault.database.read { db in try DocumentRecord.fetchCount(db) } == 0)
            #expect(try h.vault.database.read { db in try CitizenRecord.fetchCount(db) } == 0, "not even the citizen is created")
            var marks = Harness.vacer(mobile, docId: "M1")
            marks["docType"] = "MARKS"
            #expect(try await client.push(board, try Harness.pushBody(board, metadata: marks, content: [2])).status == .created)
        }
    }

    @Test("an issuedOn after tomorrow (UTC) is refused at push; tomorrow is allowed")
    func futureIssuedOn() async throws {
        let h = try setUp()  // the test clock reads 2027-01-15T08:00Z
        try await h.app().test(.router) { client in
            for (date, accepted) in [("2027-01-16", true), ("2027-01-17", false), ("2199-12-31", false)] {
                var metadata = Harness.vacer(mobile, docId: "D\(date)")
                metadata["issuedOn"] = date
                let r = try await client.push(cowin, try Harness.pushBody(cowin, metadata: metadata, content: Array(date.utf8)))
                #expect(r.status == (accepted ? .created : .badRequest), "\(date)")
                if !accepted { #expect(try problem(r)["type"] as? String == "/problems/issued-on-in-future") }
            }
            #expect(try h.vault.database.read { db in try DocumentRecord.fetchCount(db) } == 1)
        }
    }

    @Test("a status answer counts only certificates of enabled issuers registered for VACER, dated no later than tomorrow")
    func statusIgnoresUntrustedIssuers() async throws {
        let h = try setUp()
        let rogue = TestIssuer(id: "in.rogue")
        // Registered for VACER, as an upgraded vault registers an issuer that had pushed one.
        try h.register(rogue, name: "Rogue", docTypes: ["VACER"])
        try await h.app().test(.router) { client in
            _ = try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer(mobile, docId: "REAL", doses: 2), content: [1]))
            var fake = Harness.vacer(mobile, docId: "FAKE", doses: 0)
            fake["issuedOn"] = "2026-12-01"
            _ = try await client.push(rogue, try Harness.pushBody(rogue, metadata: fake, content: [2]))
            #expect(try await status(client, h) == 0, "the newer certificate of an authorised issuer counts")

            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE issuers SET disabled = 1 WHERE id = 'in.rogue'") }
            #expect(try await status(client, h) == 2, "a disabled issuer's certificate no longer counts")

            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE issuers SET disabled = 0, docTypes = 'MARKS' WHERE id = 'in.rogue'") }
            #expect(try await status(client, h) == 2, "nor one of a type its issuer is no longer registered for")

            try await h.vault.database.pool.write { db in
                try db.execute(sql: "UPDATE issuers SET docTypes = 'VACER' WHERE id = 'in.rogue'")
                try db.execute(sql: "UPDATE documents SET issuedOn = '2199-12-31' WHERE uri = 'in.rogue-VACER-FAKE'")
            }
            #expect(try await status(client, h) == 2, "a future date stored before pushes refused it does not rank first")

            // A status-scope share of the rogue's certificate says it is not valid, with no status.
            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE issuers SET disabled = 1 WHERE id = 'in.rogue'") }
            let token = try await client.signIn(mobile, harness: h)
            let fakeID = try h.vault.database.read { db in try DocumentRecord.filter(DocumentRecord.Columns.uri == "in.rogue-VACER-FAKE").fetchOne(db)!.id }
            let grant = try jsonObject(try await client.share(fakeID, token: token, ["label": "Employer", "scope": "status"]))
            let statement = try jsonObject(try await client.redeem(grant["token"] as! String))["statement"] as! String
            let payload = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(String(statement.split(separator: ".")[1]))!)) as! [String: Any]
            #expect(payload["valid"] as? Bool == false)
            #expect(payload["status"] == nil)
        }
    }

    @Test("answers and share statements carry their own typ, kind and aud; a share statement fails the KYC-VS check")
    func tokenKinds() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let pushed = try jsonObject(try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer(mobile, docId: "P1"), content: [1])))
            let jwks = try jsonObject(try await client.execute(uri: "/.well-known/jwks.json", method: .get))["keys"] as! [[String: String]]

            let asked = try await client.ask(irctc, mobile: mobile, name: "Asha Verma", nonce: "n-1")
            let id = try jsonObject(asked)["requestId"] as! String
            let answer = String(buffer: try await client.confirm(irctc, request: id, otp: h.sms.lastOTP(for: mobile)!).body)
            let checked = try #require(verifyKYCAnswer(answer, jwks: jwks, verifierID: "irctc", nonce: "n-1", now: h.clock.now))
            #expect(checked["status"] as? Int == 2)
            #expect(verifyKYCAnswer(answer, jwks: jwks, verifierID: "acme", nonce: "n-1", now: h.clock.now) == nil, "another verifier's answer")
            #expect(verifyKYCAnswer(answer, jwks: jwks, verifierID: "irctc", nonce: "n-2", now: h.clock.now) == nil, "another request's answer")

            let token = try await client.signIn(mobile, harness: h)
            let grant = try jsonObject(try await client.share(pushed["id"] as! String, token: token, ["label": "Employer", "scope": "status"]))
            let statement = try jsonObject(try await client.redeem(grant["token"] as! String))["statement"] as! String
            let header = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(String(statement.split(separator: ".")[0]))!)) as! [String: Any]
            #expect(header["typ"] as? String == "share-status+jwt")
            let payload = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(String(statement.split(separator: ".")[1]))!)) as! [String: Any]
            #expect(payload["kind"] as? String == "share-status")
            #expect(payload["aud"] as? String == "locker:share-status")
            #expect(payload["status"] as? Int == 2, "it carries a status, as an answer does")
            for audience in ["irctc", "locker:share-status"] {
                #expect(verifyKYCAnswer(statement, jwks: jwks, verifierID: audience, nonce: nil, now: h.clock.now) == nil,
                        "a share statement never passes the KYC-VS check")
            }
        }
    }

    @Test("a verifier disabled after asking gets no answer from either confirm route")
    func disabledVerifier() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let first = try jsonObject(try await client.ask(irctc, mobile: mobile, name: "Asha Verma"))["requestId"] as! String
            let firstOTP = h.sms.lastOTP(for: mobile)!
            h.clock.advance(60)
            let second = try jsonObject(try await client.ask(irctc, mobile: mobile, name: "Asha Verma"))["requestId"] as! String
            let secondOTP = h.sms.lastOTP(for: mobile)!
            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE verifiers SET disabled = 1 WHERE id = 'irctc'") }
            let embed = try await client.json("/kyc-vs/embed/confirm", ["request": first, "otp": firstOTP])
            #expect(embed.status == .notFound)
            #expect(!String(buffer: embed.body).contains("jws"))
            #expect(try await client.confirm(irctc, request: second, otp: secondOTP).status == .unauthorized)
            #expect(try await client.execute(uri: "/kyc-vs/embed?request=\(first)", method: .get).status == .notFound)
            // Re-enabled, the request is still answerable: the refusal spent nothing.
            try await h.vault.database.pool.write { db in try db.execute(sql: "UPDATE verifiers SET disabled = 0 WHERE id = 'irctc'") }
            #expect(try await client.json("/kyc-vs/embed/confirm", ["request": first, "otp": firstOTP]).status == .ok)
        }
    }

    @Test("the consent SMS starts with the code, names the verifier and quotes the purpose")
    func consentSMS() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let body: [String: Any] = ["mobile": mobile, "name": "Asha Verma", "purpose": "Ticket PNR ending 888"]
            #expect(try await client.json("/v1/kyc-vs/requests", body, token: irctc.apiKey).status == .accepted)
            let text = try #require(h.sms.lastText(for: mobile))
            let otp = try #require(h.sms.lastOTP(for: mobile))
            #expect(text.hasPrefix("Your Locker consent code is \(otp)."))
            #expect(text.contains("Give it to IRCTC only if"))
            #expect(text.contains("\"Ticket PNR ending 888\""))
        }
    }

    @Test("a purpose with 4+ digits in a row, and free text with control, bidi or line-separator characters, is refused")
    func freeTextRules() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let badPurposes = ["Ticket PNR 749888", "PNR 1234", "PNR \u{967}\u{968}\u{969}\u{96A}", "line\u{2028}Your code is 111111",
                               "para\u{2029}x", "code \u{202E}654321", "iso\u{2066}x\u{2069}", "zero\u{200B}width", "tab\there", "bom\u{FEFF}"]
            for purpose in badPurposes {
                let r = try await client.json("/v1/kyc-vs/requests", ["mobile": mobile, "name": "Asha Verma", "purpose": purpose], token: irctc.apiKey)
                #expect(r.status == .badRequest, "\(purpose.unicodeScalars.map { String($0.value, radix: 16) })")
            }
            for name in ["Asha\u{202E}Verma", "Asha\u{2028}Verma", "Asha\u{E0001}"] {
                let r = try await client.json("/v1/kyc-vs/requests", ["mobile": mobile, "name": name, "purpose": "Ticket"], token: irctc.apiKey)
                #expect(r.status == .badRequest)
            }
            #expect(h.sms.count == 0, "nothing was sent")
            // Indic spelling needs the zero-width joiners; three digits are no code.
            let ok = try await client.json("/v1/kyc-vs/requests", ["mobile": mobile, "name": "\u{915}\u{94D}\u{200D}\u{937} Verma", "purpose": "PNR 123 \u{1F686}"],
                                           token: irctc.apiKey)
            #expect(ok.status == .accepted)

            let pushed = try jsonObject(try await client.push(cowin, try Harness.pushBody(cowin, metadata: Harness.vacer(mobile, docId: "P1"), content: [1])))
            let session = try await client.signIn(mobile, harness: h)
            for label in ["Bank\u{2028}Your code is 123456", "Bank\u{202E}knaB", "x\u{2066}"] {
                #expect(try await client.share(pushed["id"] as! String, token: session, ["label": label]).status == .badRequest)
            }
            // A client's user agent reaches the owner's activity with such characters replaced.
            let grant = try jsonObject(try await client.share(pushed["id"] as! String, token: session, ["label": "Clerk"]))
            #expect(try await client.redeem(grant["token"] as! String, userAgent: "Clerk\u{202E}1.0").status == .ok)
            let events = try jsonObject(try await client.get("/v1/activity", token: session))["events"] as! [[String: Any]]
            let agent = (events.first { $0["action"] as? String == "share.redeemed" }?["detail"] as? [String: Any])?["userAgent"] as? String
            #expect(agent?.unicodeScalars.contains { $0.value == 0x202E } == false)
        }
    }

    @Test("the consent page answers the registered origin that frames it, and refuses one not registered")
    func embedOrigins() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let asked = try await client.ask(twoSites, mobile: mobile, name: "Asha Verma")
            let id = try jsonObject(asked)["requestId"] as! String
            for origin in ["https://one.example", "https://two.example:8443"] {
                let encoded = origin.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let page = try await client.execute(uri: "/kyc-vs/embed?request=\(id)&origin=\(encoded)", method: .get)
                #expect(page.status == .ok)
                let csp = page.headers[.contentSecurityPolicy] ?? ""
                #expect(csp.hasSuffix("frame-ancestors \(origin)"), "only the framing origin may frame it: \(csp)")
                #expect(String(buffer: page.body).contains("data-origin=\"\(origin)\""), "and only it receives the answer")
            }
            for query in ["", "&origin=https%3A%2F%2Fevil.example", "&origin=https%3A%2F%2Fone.example%2F"] {
                let page = try await client.execute(uri: "/kyc-vs/embed?request=\(id)\(query)", method: .get)
                #expect(page.status == .badRequest, "\(query)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(!String(buffer: page.body).contains("data-origin"))
            }
            // A verifier with one origin may leave the parameter out.
            let single = try jsonObject(try await client.ask(irctc, mobile: "+919800000002", name: "Asha Verma"))["requestId"] as! String
            let page = try await client.execute(uri: "/kyc-vs/embed?request=\(single)", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("data-origin=\"https://www.irctc.co.in\""))
        }
    }

    @Test("a null nonce is refused; an activity cursor above int64 is 400, as the contract's maximum says")
    func contractEdges() async throws {
        let h = try setUp()
        try await h.app().test(.router) { client in
            let r = try await client.execute(uri: "/v1/kyc-vs/requests", method: .post,
                                             headers: [.authorization: "Bearer \(irctc.apiKey)", .contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"mobile":"+919800000001","name":"Asha Verma","purpose":"Ticket","nonce":null}"#))
            #expect(r.status == .badRequest)
            #expect(r.headers[.contentType] == "application/problem+json")
            #expect(h.sms.count == 0)
            // A nonce is signed in as given: a NUL or another control character would let two
            // nonces read the same in some verifiers' libraries.
            for nonce in ["a\u{0}b", "n\u{1b}[1m", "line\u{2028}break"] {
                let refused = try await client.ask(irctc, mobile: "+919800000001", name: "Asha Verma", nonce: nonce)
                #expect(refused.status == .badRequest, "nonce \(nonce.debugDescription)")
            }
            #expect(h.sms.count == 0)
            let session = try await client.signIn(mobile, harness: h)
            #expect(try await client.get("/v1/activity?before=9223372036854775807", token: session).status == .ok)
            #expect(try await client.get("/v1/activity?before=9223372036854775808", token: session).status == .badRequest)
        }
        let contract = try String(contentsOfFile: ContractTests.specPath, encoding: .utf8)
        #expect(contract.contains("schema: {type: integer, format: int64, minimum: 0, maximum: 9223372036854775807}"))
    }

    @Test("the portal words an admin's revocation for the owner, with the reason")
    func adminRevocationWording() throws {
        let h = try Harness()
        let record = try h.vault.database.pool.write { db in
            try AuditLog.append(db, at: Date(), action: "admin.document-revoked", actor: "admin", citizenID: nil, documentID: "d1",
                                detail: ["uri": "in.gov.cowin-VACER-1", "reason": "Pushed in error"])
        }
        #expect(ActivityText.describe(record, issuers: [:], docTypes: ["d1": "VACER"], labels: [:])
                == "An administrator revoked your vaccination certificate: Pushed in error")
    }
}
