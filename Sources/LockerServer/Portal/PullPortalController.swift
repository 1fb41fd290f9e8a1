import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// The portal's side of pull-through issuers: ask an issuer for a document by the fields it
/// searches by, download it (fetched from the issuer each time), remove it from the list. Same
/// cookie and CSRF rules as the rest of the portal.
struct PullPortalController {
    let services: LockerServices
    let portal: PortalController

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/portal/pulled", use: fetch)
        router.get("/portal/pulled/{id}/content", use: download)
        router.post("/portal/pulled/{id}/remove", use: remove)
    }

    /// The home page's context for the section: each issuer's forms and the citizen's list.
    func context(citizen: CitizenRecord, csrf: String) throws -> [String: Any] {
        let pull = services.pull
        let issuers = try pull.issuers()
        let pulled = try pull.list(citizen: citizen)
        return [
            "hasPull": !issuers.isEmpty || !pulled.isEmpty,
            "pullIssuers": issuers.flatMap { issuer in
                issuer.docTypeList.map { type -> [String: Any] in
                    ["issuerId": issuer.id, "issuerName": issuer.name, "docType": type, "docPhrase": DocTypeNames.phrase(type), "csrf": csrf,
                     "fields": issuer.fieldList.map { ["name": $0.name, "label": $0.label, "inputId": "pull-\(issuer.id)-\(type)-\($0.name)"] }]
                }
            },
            "pulled": pulled.map { r -> [String: Any] in
                ["id": r.id, "docName": DocTypeNames.name(r.docType), "issuerName": pull.issuerName(r.issuerID), "pending": r.status == .pending, "csrf": csrf]
            },
        ]
    }

    @Sendable func fetch(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf", "issuerId", "docType"])
        guard let (session, citizen) = portal.currentSession(request) else { return PortalPage.redirect("/") }
        guard portal.checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        var fields = [String: String]()
        for (name, value) in form where PullService.fieldNames.contains(name) && !value.isEmpty { fields[name] = value.trimmingCharacters(in: .whitespaces) }
        do {
            let record = try await services.pull.request(citizen: citizen, issuerID: form["issuerId"] ?? "", docType: form["docType"] ?? "", fields: fields)
            guard record.status == .pending else { return PortalPage.redirect("/") }
            return PortalPage.message("Being prepared", "\(services.pull.issuerName(record.issuerID)) is preparing your \(DocTypeNames.phrase(record.docType)). It appears in your list when it is ready; nothing else is needed.",
                                      isError: false, status: .accepted, csrf: portal.csrfToken(session))
        } catch let problem as Problem {
            return PortalPage.message("Could not fetch", problem.detail ?? problem.title, isError: true, status: problem.status, csrf: portal.csrfToken(session))
        }
    }

    @Sendable func download(_ request: Request, context: LockerRequestContext) async throws -> Response {
        guard let (_, citizen) = portal.currentSession(request) else { throw Problem.notFound }
        let (record, bytes) = try await services.pull.download(citizen: citizen, id: context.parameters.get("id"))
        return PullController.contentResponse(record, bytes)
    }

    @Sendable func remove(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let form = try await PortalForm.read(request, context: context, required: ["csrf"])
        guard let (session, citizen) = portal.currentSession(request) else { return PortalPage.redirect("/") }
        guard portal.checkCSRF(form, session: session) else { return PortalPage.forbidden() }
        try await services.pull.delete(citizen: citizen, id: context.parameters.get("id"))
        return PortalPage.redirect("/")
    }
}
