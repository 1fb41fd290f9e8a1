import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// Issuer routes: push (create / update / idempotent repeat) and revoke. Streams the multipart
/// body through `PushBodyReader`; the rules are `PushService`'s.
struct PushController {
    let services: LockerServices
    var pushes: PushService { services.pushes }

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/issuer/documents", use: push)
        router.delete("/v1/issuer/documents/{uri}", use: revoke)
    }

    @Sendable func push(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let issuer = try Authenticate.issuer(request, services: services)
        guard let boundary = multipartBoundary(request.headers[.contentType]) else {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail: "Send multipart/form-data with a boundary.")
        }
        let pushes = self.pushes
        let push = PushInProgress(issuer: issuer)
        let reader = PushBodyReader(boundary: boundary, maxDocumentBytes: services.settings.maxDocumentBytes, maxMetadataBytes: services.settings.maxJSONBytes) { metadata, _ in
            try pushes.begin(metadata, push: push)
        }
        defer { pushes.end(push) }
        do {
            for try await chunk in request.body { try reader.feed(chunk) }
            try reader.finish()
        } catch {
            reader.abort()
            throw error
        }
        let (record, outcome) = try await pushes.finish(push, reader: reader)
        return try documentResponse(record, issuerName: issuer.name, status: outcome == .created ? .created : .ok, outcome: outcome)
    }

    @Sendable func revoke(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let issuer = try Authenticate.issuer(request, services: services)
        let record = try await pushes.revoke(uri: context.parameters.get("uri") ?? "", issuer: issuer)
        return try documentResponse(record, issuerName: issuer.name, status: .ok, outcome: nil)
    }

    func documentResponse(_ record: DocumentRecord, issuerName: String, status: HTTPResponse.Status, outcome: PushOutcome?) throws -> Response {
        var answer = DocumentResponse(record, issuerName: issuerName)
        answer.result = outcome?.rawValue
        return try JSONResponse.encode(answer, status: status)
    }
}
