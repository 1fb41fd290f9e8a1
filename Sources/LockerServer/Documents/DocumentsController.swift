import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// The owner's documents: list, metadata with claims and signature, streamed content. Parses,
/// calls `DocumentService`, encodes.
struct DocumentsController {
    let services: LockerServices
    var documents: DocumentService { services.documents }

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/documents", use: list)
        router.get("/v1/documents/{id}", use: show)
        router.get("/v1/documents/{id}/content", use: content)
    }

    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let (list, names) = try documents.list(ownerID: citizen.id)
        return try JSONResponse.encode(DocumentListResponse(documents: list.map { DocumentResponse($0, issuerName: names[$0.issuerID] ?? $0.issuerID) }))
    }

    @Sendable func show(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let document = try documents.owned(id: context.parameters.get("id"), by: citizen)
        var answer = DocumentResponse(document, issuerName: try documents.issuerName(of: document))
        if let metadata = try documents.signedMetadata(document, owner: citizen) {
            answer.claims = (try? JSONDecoder().decode(PushMetadata.self, from: Data(metadata)))?.claims
            answer.signedMetadata = Base64URL.encode(metadata)
        }
        answer.signature = document.signature.map { Base64URL.encode($0) }
        return try JSONResponse.encode(answer)
    }

    @Sendable func content(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (session, citizen) = try Authenticate.session(request, services: services)
        return try await content(session: session, citizen: citizen, request: request, context: context)
    }

    /// The owner's streamed, audited download, however the session was presented (bearer or
    /// the portal's cookie). `HEAD` answers the same status and headers with no body, and is
    /// neither a download nor audited.
    func content(session: SessionRecord, citizen: CitizenRecord, request: Request, context: LockerRequestContext) async throws -> Response {
        let document = try documents.downloadable(id: context.parameters.get("id"), by: citizen)
        if request.method == .head {
            // Same status and headers as the download, no body: nothing decrypted, nothing audited.
            return try await ContentResponse.head(services: services, document: document, owner: citizen)
        }
        let services = self.services
        let prepared = try await documents.download(document, session: session, owner: citizen) {
            try await ContentResponse.prepare(services: services, document: document, owner: citizen, logger: context.logger)
        }
        let documents = self.documents
        return ContentResponse.make(prepared, document: document, services: services, logger: context.logger) { sent in
            await documents.recordCut(document, session: session, bytesSent: sent)
        }
    }
}
