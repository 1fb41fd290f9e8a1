import Foundation
import LockerCore
import LockerStore
import Logging

/// Documents held by pull issuers: the citizen's search sent as a Pull URI request, only the
/// URI kept; each download a fresh Pull Doc request whose bytes go to the owner and nowhere
/// else. A "pending" answer keeps the search sealed and is asked again with growing pauses.
struct PullService: Sendable {
    let store: any PullStore
    let audit: any AuditStore
    let vault: Vault
    let settings: Settings
    let clock: @Sendable () -> Date

    static let fieldNames: Set<String> = ["UDF1", "UDF2", "UDF3", "UDF4", "UDF5", "FullName", "DOB"]

    func issuers() throws -> [PullIssuerRecord] { try store.pullIssuers().filter { !$0.disabled } }

    func list(citizen: CitizenRecord) throws -> [PulledDocumentRecord] { try store.pulledDocuments(ownerID: citizen.id) }

    func issuerName(_ id: String) -> String { (try? store.pullIssuer(id: id))?.name ?? id }

    /// Asks the issuer for the document these fields find, and keeps a reference to it.
    func request(citizen: CitizenRecord, issuerID: String, docType: String, fields: [String: String]) async throws -> PulledDocumentRecord {
        guard Validate.issuerID(issuerID), let issuer = try store.pullIssuer(id: issuerID), !issuer.disabled, issuer.docTypeList.contains(docType) else {
            throw Problem(.notFound, "not-found", "Not found", detail: "No pull issuer \(issuerID) offers documents of type \(docType).")
        }
        let wanted = issuer.fieldList.map(\.name)
        for (name, value) in fields {
            guard wanted.contains(name) else { throw Problem.badRequest("\(issuer.name) does not search by \(name); it needs \(wanted.joined(separator: ", ")).") }
            guard Validate.displayText(value, max: 100) else { throw Problem.badRequest("\(name) must be 1-100 characters without control characters.") }
        }
        let missing = wanted.filter { (fields[$0] ?? "").isEmpty }
        guard missing.isEmpty else { throw Problem.badRequest("\(issuer.name) needs \(missing.joined(separator: ", ")).") }
        let now = clock()
        let id = SecureRandom.identifier()
        var record = PulledDocumentRecord(id: id, ownerID: citizen.id, issuerID: issuer.id, docType: docType, uri: nil, status: .pending,
                                          requestSealed: nil, createdAt: now, updatedAt: now)
        let uri: String?
        do {
            uri = try await askForURI(issuer: issuer, citizen: citizen, docType: docType, fields: fields)
        } catch let failure as PullFailure {
            throw failure.problem
        }
        if let uri {
            record.uri = uri
            record.status = .issued
        } else {
            record.requestSealed = try vault.sealPullSecret(Array(try JSONEncoder().encode(fields)), field: "pull-request", ownerID: id)
            record.nextTryAt = now.addingTimeInterval(15)
        }
        let entry = auditEntry(record.status == .issued ? "document.pull-linked" : "document.pull-pending", record, issuer: issuer, actor: "citizen", at: now)
        guard try await store.savePulled(record, audit: entry) else {
            throw Problem(.conflict, "conflict", "Already in your list", detail: "This document is already in your list.")
        }
        return record
    }

    /// The URI the issuer answers with (nil while it says pending), checked against the
    /// registered issuer, the asked type and the signed-in citizen.
    func askForURI(issuer: PullIssuerRecord, citizen: CitizenRecord, docType: String, fields: [String: String]) async throws -> String? {
        let client = try client(for: issuer)
        let mobile10 = String(try vault.mobile(of: citizen).filter(\.isNumber).suffix(10))
        let request = PullRequestXML.uri(issuerID: issuer.id, docType: docType, citizenID: citizen.id, mobile10: mobile10,
                                         fields: fields.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, key: client.key, now: clock())
        let answer = try await client.send(request)
        guard answer.root == "PullURIResponse" else { throw PullFailure.issuerFailed("expected a PullURIResponse") }
        switch answer.status {
        case "1":
            guard let uri = answer.uri, let parsed = DocumentURI(uri), parsed.issuerID == issuer.id, parsed.docType == docType else {
                throw PullFailure.issuerFailed("the answer's URI is not one of \(issuer.id)'s \(docType) documents")
            }
            guard Self.samePerson(answer.persons, mobile10: mobile10, fullName: fields["FullName"]) else { throw PullFailure.personMismatch }
            return uri
        case "0": throw PullFailure.notAtIssuer
        case "9": return nil
        default: throw PullFailure.issuerFailed("unknown status \(answer.status ?? "")")
        }
    }

    /// The document is the citizen's when a person it is issued to has the citizen's mobile
    /// number (whenever the issuer gives one, masked or not) and the name asked for (when both are given), and at
    /// least one of the two could be compared.
    static func samePerson(_ persons: [PullAnswer.Person], mobile10: String, fullName: String?) -> Bool {
        persons.contains { person in
            // A phone the issuer sends must match, masked ones too (XXXXXX3210: the digits shown,
            // at least four); one with fewer digits proves nothing and refuses the answer.
            let given = (person.phone ?? "").trimmingCharacters(in: .whitespaces)
            let digits = given.filter(\.isNumber)
            let phone: Bool? = given.isEmpty ? nil : digits.count >= 10 ? String(digits.suffix(10)) == mobile10
                : digits.count >= 4 ? mobile10.hasSuffix(digits) : false
            let name: Bool? = if let given = person.name, !given.isEmpty, let fullName { NameMatch.normalize(given) == NameMatch.normalize(fullName) } else { nil }
            return phone != false && name != false && (phone == true || name == true)
        }
    }

    /// The owner's download: fetched again from the issuer; the trace is durable before the bytes are returned.
    func download(citizen: CitizenRecord, id: String?) async throws -> (PulledDocumentRecord, [UInt8]) {
        guard let id, Validate.localID(id), let record = try store.pulledDocument(id: id, ownerID: citizen.id) else { throw Problem.notFound }
        let bytes = try await fetch(record, citizen: citizen)
        try await audit.appendAudit(auditEntry("document.pulled", record, issuer: try store.pullIssuer(id: record.issuerID), actor: "citizen", at: clock()))
        return (record, bytes)
    }

    /// The citizen's issued pulled document with this URI (a partner app names documents by URI).
    func issued(citizen: CitizenRecord, uri: String) throws -> PulledDocumentRecord? {
        try store.pulledDocuments(ownerID: citizen.id).first { $0.uri == uri && $0.status == .issued }
    }

    /// A Pull Doc request for the document's bytes, checked; the caller audits who got them.
    func fetch(_ record: PulledDocumentRecord, citizen: CitizenRecord) async throws -> [UInt8] {
        guard record.status == .issued, let uri = record.uri else {
            throw Problem(.conflict, "pending", "Not ready yet", detail: "The issuer is still preparing this document; it appears in your list when ready.")
        }
        guard let issuer = try store.pullIssuer(id: record.issuerID), !issuer.disabled else {
            throw PullFailure.issuerFailed("the issuer is no longer registered").problem
        }
        do {
            let client = try client(for: issuer)
            let request = PullRequestXML.doc(issuerID: issuer.id, uri: uri, citizenID: citizen.id, key: client.key, now: clock())
            let answer = try await client.send(request)
            guard answer.root == "PullDocResponse" else { throw PullFailure.issuerFailed("expected a PullDocResponse") }
            guard answer.status == "1" else { throw answer.status == "0" ? PullFailure.notAtIssuer : PullFailure.issuerFailed("status \(answer.status ?? "")") }
            guard let text = answer.docContent, let bytes = Data(base64Encoded: text).map({ [UInt8]($0) }), !bytes.isEmpty else {
                throw PullFailure.issuerFailed("the answer carries no document")
            }
            return bytes
        } catch let failure as PullFailure {
            throw failure.problem
        }
    }

    /// The issuer's client with its shared key opened and the configured deadline.
    func client(for issuer: PullIssuerRecord) throws -> PullIssuerClient {
        PullIssuerClient(issuer: issuer, key: try vault.pullKey(of: issuer), timeout: .seconds(settings.pullTimeout))
    }

    func delete(citizen: CitizenRecord, id: String?) async throws {
        guard let id, Validate.localID(id), let record = try store.pulledDocument(id: id, ownerID: citizen.id) else { throw Problem.notFound }
        let issuer = try store.pullIssuer(id: record.issuerID)
        guard try await store.deletePulled(id: id, ownerID: citizen.id, audit: auditEntry("document.pull-removed", record, issuer: issuer, actor: "citizen", at: clock())) else {
            throw Problem.notFound
        }
    }

    func auditEntry(_ action: String, _ record: PulledDocumentRecord, issuer: PullIssuerRecord?, actor: String, at now: Date, extra: [String: String] = [:]) -> AuditEntry {
        var detail = ["issuer": issuer?.name ?? record.issuerID, "issuerId": record.issuerID, "docType": record.docType, "pulled": record.id]
        if let uri = record.uri { detail["uri"] = uri }
        return AuditEntry(at: now, action: action, actor: actor, citizenID: record.ownerID, detail: detail.merging(extra) { a, _ in a })
    }
}
