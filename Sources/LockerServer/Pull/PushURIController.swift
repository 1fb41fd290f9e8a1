import Crypto
import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// DigiLocker's Push URI API, for pull issuers: `POST /public/account/1/pushuri` announces (A),
/// updates (U) or withdraws (D) a URI in a citizen's list without sending the document.
/// `hmac` = hex SHA-256(API key ‖ clientid ‖ ts); `ts` (Unix seconds or milliseconds) within
/// 30 minutes of now and accepted once per issuer, since the HMAC covers nothing else (so an
/// issuer sending more than one call a second uses milliseconds).
struct PushURIController {
    let services: LockerServices
    static let window: TimeInterval = 30 * 60

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/public/account/1/pushuri", use: pushURI)
    }

    static let unauthorized = Problem(.unauthorized, "unauthorized", "Unauthorized",
                                      detail: "Unknown or disabled client, a wrong hmac, or a ts that is not within 30 minutes of now or was used before.")

    @Sendable func pushURI(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await MultipartFields.read(request, context: context)
        func field(_ name: String) throws -> String {
            guard let value = form[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { throw Problem.badRequest("\(name) is required.") }
            return value
        }
        let clientID = try field("clientid"), ts = try field("ts"), hmac = try field("hmac").lowercased()
        guard Validate.issuerID(clientID), let issuer = try services.storage.pullIssuer(id: clientID), !issuer.disabled else { throw Self.unauthorized }
        let key = try services.vault.pullKey(of: issuer)
        let expected = Hex.encode(Array(SHA256.hash(data: key + Array(clientID.utf8) + Array(ts.utf8))))
        guard ConstantTime.equal(Array(hmac.utf8), Array(expected.utf8)) else { throw Self.unauthorized }
        let now = services.clock()
        guard ts.utf8.count == 10 || ts.utf8.count == 13, ts.allSatisfy(\.isNumber), let number = Double(ts),
              abs(now.timeIntervalSince1970 - (ts.utf8.count == 13 ? number / 1000 : number)) <= Self.window else { throw Self.unauthorized }
        // Spent before anything else is looked at: a captured request, even one refused below,
        // can never be sent again with other fields.
        let issuerID = issuer.id
        guard try await services.storage.inPullTransaction({ tx in try tx.spendPushURINonce(issuerID: issuerID, ts: ts, at: now) }) else {
            throw Self.unauthorized
        }
        let action = try field("action")
        guard ["A", "U", "D"].contains(action) else { throw Problem.badRequest("action must be A (add), U (update) or D (delete).") }
        let uri = try field("uri"), citizenID = try field("digilockerid")
        guard let parsed = DocumentURI(uri), parsed.issuerID == issuer.id, issuer.docTypeList.contains(parsed.docType),
              (form["doctype"].map { $0 == parsed.docType } ?? true) else {
            throw Problem.badRequest("uri must be one of \(issuer.id)'s documents of a type it is registered for (\(issuer.docTypes)), matching doctype.")
        }
        for optional in ["description", "docid", "issuedate", "validfrom", "validto"] {
            if let value = form[optional], !value.isEmpty, !Validate.displayText(value, max: 200) { throw Problem.badRequest("\(optional) must be at most 200 characters without control characters.") }
        }
        guard Validate.localID(citizenID), try services.vault.records.citizen(id: citizenID) != nil else {
            throw Problem(.notFound, "not-found", "Not found", detail: "No citizen with this digilockerid.")
        }
        let pull = services.pull
        let outcome = try await services.storage.inPullTransaction { tx -> String in
            let existing = try tx.pulledDocument(ownerID: citizenID, uri: uri)
            switch (action, existing) {
            case ("A", nil):
                let record = PulledDocumentRecord(id: SecureRandom.identifier(), ownerID: citizenID, issuerID: issuer.id, docType: parsed.docType, uri: uri,
                                                  status: .issued, requestSealed: nil, createdAt: now, updatedAt: now)
                try tx.savePulled(record)
                try tx.appendAudit(pull.auditEntry("document.pull-announced", record, issuer: issuer, actor: "issuer", at: now))
            case ("A", var record?), ("U", var record?):
                record.updatedAt = now
                try tx.savePulled(record)
                try tx.appendAudit(pull.auditEntry("document.pull-updated", record, issuer: issuer, actor: "issuer", at: now))
            case ("D", let record?):
                try tx.deletePulled(id: record.id)
                try tx.appendAudit(pull.auditEntry("document.pull-withdrawn", record, issuer: issuer, actor: "issuer", at: now))
            default:
                return "absent"
            }
            return "ok"
        }
        switch outcome {
        case "absent": throw Problem(.notFound, "not-found", "Not found", detail: "This citizen's list has no such URI to \(action == "U" ? "update" : "delete").")
        default: return try JSONResponse.encode(["status": "ok", "action": action, "uri": uri])
        }
    }
}
