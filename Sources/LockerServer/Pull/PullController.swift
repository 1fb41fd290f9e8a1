import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore

/// Pull-through documents over the API: which issuers can be asked, asking, the list, the
/// streamed download (fetched again from the issuer each time) and removal.
struct PullController {
    let services: LockerServices
    var pull: PullService { services.pull }

    struct PullRequestBody: Decodable {
        var issuerId: String
        var docType: String
        var fields: [String: String]?
    }

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/pull-issuers", use: issuers)
        router.get("/v1/pulled-documents", use: list)
        router.post("/v1/pulled-documents", use: create)
        router.get("/v1/pulled-documents/{id}/content", use: content)
        router.delete("/v1/pulled-documents/{id}", use: delete)
    }

    @Sendable func issuers(_ request: Request, context: LockerRequestContext) async throws -> Response {
        _ = try Authenticate.session(request, services: services)
        struct Issuer: Encodable { var id: String; var name: String; var docTypes: [String]; var fields: [PullIssuerRecord.Field] }
        return try JSONResponse.encode(["issuers": try pull.issuers().map { Issuer(id: $0.id, name: $0.name, docTypes: $0.docTypeList, fields: $0.fieldList) }])
    }

    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        return try JSONResponse.encode(["documents": try pull.list(citizen: citizen).map { PulledDocumentResponse($0, issuerName: pull.issuerName($0.issuerID)) }])
    }

    @Sendable func create(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let body = try await request.decode(as: PullRequestBody.self, context: context)
        guard (body.fields?.count ?? 0) <= 10 else { throw Problem.badRequest("at most 10 fields") }
        let record = try await pull.request(citizen: citizen, issuerID: body.issuerId, docType: body.docType, fields: body.fields ?? [:])
        var response = try JSONResponse.encode(PulledDocumentResponse(record, issuerName: pull.issuerName(record.issuerID)),
                                               status: record.status == .issued ? .created : .accepted)
        response.headers[.location] = "/v1/pulled-documents/\(record.id)"
        return response
    }

    @Sendable func content(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let (record, bytes) = try await pull.download(citizen: citizen, id: context.parameters.get("id"))
        return Self.contentResponse(record, bytes)
    }

    /// The issuer's bytes as a download, never cached.
    static func contentResponse(_ record: PulledDocumentRecord, _ bytes: [UInt8]) -> Response {
        let isPDF = bytes.starts(with: Array("%PDF".utf8))
        let docID = (record.uri.flatMap(DocumentURI.init)?.docID ?? record.id).filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        let headers: HTTPFields = [
            .contentType: isPDF ? "application/pdf" : "application/octet-stream",
            .contentDisposition: "attachment; filename=\"\(record.docType)-\(docID).\(isPDF ? "pdf" : "bin")\"",
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func delete(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        try await pull.delete(citizen: citizen, id: context.parameters.get("id"))
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}
