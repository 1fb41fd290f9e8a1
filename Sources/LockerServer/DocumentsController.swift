import HTTPTypes
import Foundation
import GRDB
import Hummingbird
import LockerCore
import LockerStore
import Logging

/// The owner's documents: list, metadata with claims and signature, streamed content.
struct DocumentsController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/documents", use: list)
        router.get("/v1/documents/{id}", use: show)
        router.get("/v1/documents/{id}/content", use: content)
    }

    func issuerNames() throws -> [String: String] {
        try services.vault.database.read { db in
            Dictionary(uniqueKeysWithValues: try IssuerRecord.fetchAll(db).map { ($0.id, $0.name) })
        }
    }

    /// The document with this id if the citizen owns it. Unknown ids, malformed ids and other
    /// citizens' ids all end in the same 404, after the same single indexed lookup.
    func owned(_ context: LockerRequestContext, by citizen: CitizenRecord) throws -> DocumentRecord {
        guard let id = context.parameters.get("id"), Validate.localID(id) else { throw Problem.notFound }
        let ownerID = citizen.id
        let document = try services.vault.database.read { db in try HotQueries.ownedDocument(db, id: id, ownerID: ownerID) }
        guard let document else { throw Problem.notFound }
        return document
    }

    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let names = try issuerNames()
        let documents = try services.vault.documents.list(ownerID: citizen.id)
        return try JSONResponse.make(["documents": documents.map { DocumentJSON.object($0, issuerName: names[$0.issuerID] ?? $0.issuerID) }])
    }

    @Sendable func show(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let document = try owned(context, by: citizen)
        var object = DocumentJSON.object(document, issuerName: try issuerNames()[document.issuerID] ?? document.issuerID)
        if let sealed = document.claimsSealed {
            let (current, key) = try services.vault.dataKey(for: document, owner: citizen)
            let metadata = try FieldSeal.open([UInt8](current.claimsSealed ?? sealed), key: key, field: document.metadataField, ownerID: citizen.id)
            if let parsed = try? JSONDecoder().decode(PushMetadata.self, from: Data(metadata)) {
                let claims = try JSONSerialization.jsonObject(with: JSONEncoder().encode(parsed.claims))
                object["claims"] = claims
            }
            object["signedMetadata"] = Base64URL.encode(metadata)
        }
        if let signature = document.signature { object["signature"] = Base64URL.encode(signature) }
        return try JSONResponse.make(object)
    }

    @Sendable func content(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (session, citizen) = try Authenticate.session(request, services: services)
        return try await content(session: session, citizen: citizen, context: context)
    }

    /// The owner's streamed, audited download, however the session was presented (bearer or
    /// the portal's cookie).
    func content(session: SessionRecord, citizen: CitizenRecord, context: LockerRequestContext) async throws -> Response {
        let document = try owned(context, by: citizen)
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "The issuer revoked this document.") }
        let reader = try services.vault.openDocument(document, owner: citizen)
        let now = services.clock()
        // The trace is durable before the first byte leaves.
        try await services.committer.write { db in
            _ = try AuditLog.append(db, at: now, action: "document.downloaded", actor: "citizen", citizenID: citizen.id, documentID: document.id,
                                detail: ["uri": document.uri, "session": session.id])
        }
        return try ContentResponse.make(reader: reader, document: document, logger: context.logger)
    }
}

/// The download shared by the owner's download and grant redemption. Segments are verified
/// one by one as they are decrypted; a document up to `wholeBodyLimit` is decrypted completely
/// before the answer starts, so it leaves in one write and a damaged blob gets a clear 500
/// instead of a cut-off 200. Larger documents stream in `chunkBytes` pieces.
enum ContentResponse {
    static let wholeBodyLimit = 1 << 20
    static let chunkBytes = 256 * 1024

    static func make(reader: DocumentReader, document: DocumentRecord, logger: Logger) throws -> Response {
        let ext = document.contentType == "application/pdf" ? "pdf" : "json"
        var headers: HTTPFields = [
            .contentType: document.contentType,
            .contentDisposition: "attachment; filename=\"\(document.docType)-\(document.issuerDocID).\(ext)\"",
            .eTag: "\"\(Hex.encode(document.contentSHA256))\"",
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let signature = document.signature { headers[HTTPField.Name("Locker-Signature")!] = Base64URL.encode(signature) }
        if reader.plaintextSize <= wholeBodyLimit {
            var body = ByteBufferAllocator().buffer(capacity: reader.plaintextSize)
            do {
                while try reader.nextSegments(maxSealedBytes: Envelope.sealedSize(plaintextSize: wholeBodyLimit), { body.writeBytes($0) }) {}
            } catch let error as VaultCryptoError {
                logger.critical("stored document failed its integrity check", metadata: ["document": "\(document.id)", "error": "\(error)"])
                throw Problem.integrityFailure
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        let body = ResponseBody(contentLength: reader.plaintextSize) { writer in
            // Each segment is verified before it is written; nothing is kept after it is sent.
            var chunk = ByteBufferAllocator().buffer(capacity: chunkBytes)
            while try reader.nextSegments(maxSealedBytes: chunkBytes, { chunk.writeBytes($0) }) {
                try await writer.write(chunk)
                chunk.clear()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
