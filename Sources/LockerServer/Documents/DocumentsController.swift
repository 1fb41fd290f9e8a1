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
        return try await content(session: session, citizen: citizen, request: request, context: context)
    }

    /// The owner's streamed, audited download, however the session was presented (bearer or
    /// the portal's cookie). `HEAD` answers the same status and headers with no body, and is
    /// neither a download nor audited.
    func content(session: SessionRecord, citizen: CitizenRecord, request: Request, context: LockerRequestContext) async throws -> Response {
        let document = try owned(context, by: citizen)
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked (by its issuer or an administrator).") }
        if request.method == .head {
            // Same status and headers as the download, no body: nothing decrypted, nothing audited.
            return ContentResponse.head(reader: try services.vault.openDocument(document, owner: citizen), document: document)
        }
        let now = services.clock()
        let detail = ["uri": document.uri, "session": session.id]
        let citizenID = citizen.id, documentID = document.id
        let prepared: ContentResponse.Prepared
        do {
            prepared = try ContentResponse.prepare(reader: services.vault.openDocument(document, owner: citizen), document: document, logger: context.logger)
        } catch {
            // Nothing was served: the trace says the attempt failed, not that it was a download.
            _ = try? await services.committer.write { db in
                try AuditLog.append(db, at: now, action: "document.download-failed", actor: "citizen", citizenID: citizenID, documentID: documentID,
                                    detail: detail.merging(["reason": "integrity"]) { a, _ in a })
            }
            throw error
        }
        // The trace is durable before the first byte leaves.
        _ = try await services.committer.write { db in
            try AuditLog.append(db, at: now, action: "document.downloaded", actor: "citizen", citizenID: citizenID, documentID: documentID, detail: detail)
        }
        let committer = services.committer, clock = services.clock
        return ContentResponse.make(prepared, document: document, logger: context.logger) { sent in
            // A large document streamed until a damaged segment: the trace says it was cut.
            _ = try? await committer.write { db in
                try AuditLog.append(db, at: clock(), action: "document.download-cut", actor: "citizen", citizenID: citizenID, documentID: documentID,
                                    detail: detail.merging(["reason": "integrity", "bytesSent": String(sent)]) { a, _ in a })
            }
        }
    }
}

/// The download shared by the owner's download and grant redemption. Segments are verified
/// one by one as they are decrypted; a document up to `wholeBodyLimit` is decrypted completely
/// (`prepare`) before anything is audited or sent, so a damaged blob gets a clear 500, no
/// "downloaded" trace and no spent use. Larger documents stream in `chunkBytes` pieces; one
/// whose later segment fails is cut, and the caller is told so it can record the cut.
enum ContentResponse {
    static let wholeBodyLimit = 1 << 20
    static let chunkBytes = 256 * 1024

    /// What `HEAD` gets: the download's headers (with its `Content-Length`), no body, nothing read.
    static func head(reader: DocumentReader, document: DocumentRecord) -> Response {
        var fields = headers(document: document)
        fields[.contentLength] = String(reader.plaintextSize)
        return Response(status: .ok, headers: fields, body: ResponseBody())
    }

    /// A document ready to send: verified and decrypted whole, or a reader still to stream.
    enum Prepared: Sendable {
        case whole(ByteBuffer)
        case stream(DocumentReader)
    }

    /// Decrypts and verifies a document small enough to send in one write; throws
    /// `Problem.integrityFailure` if any segment fails. Larger documents are left to stream.
    static func prepare(reader: DocumentReader, document: DocumentRecord, logger: Logger) throws -> Prepared {
        guard reader.plaintextSize <= wholeBodyLimit else { return .stream(reader) }
        var body = ByteBufferAllocator().buffer(capacity: reader.plaintextSize)
        do {
            while try reader.nextSegments(maxSealedBytes: Envelope.sealedSize(plaintextSize: wholeBodyLimit), { body.writeBytes($0) }) {}
        } catch let error as VaultCryptoError {
            logger.critical("stored document failed its integrity check", metadata: ["document": "\(document.id)", "error": "\(error)"])
            throw Problem.integrityFailure
        }
        return .whole(body)
    }

    /// The headers of a document's download (and of its `HEAD`).
    static func headers(document: DocumentRecord) -> HTTPFields {
        let ext = document.contentType == "application/pdf" ? "pdf" : "json"
        var headers: HTTPFields = [
            .contentType: document.contentType,
            .contentDisposition: "attachment; filename=\"\(document.docType)-\(document.issuerDocID).\(ext)\"",
            .eTag: "\"\(Hex.encode(document.contentSHA256))\"",
            .cacheControl: "no-store",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if let signature = document.signature { headers[HTTPField.Name("Locker-Signature")!] = Base64URL.encode(signature) }
        return headers
    }

    /// The answer for a prepared document. `onCut` runs (with the plaintext bytes already sent)
    /// if a streamed document stops at a segment that fails to verify.
    static func make(_ prepared: Prepared, document: DocumentRecord, logger: Logger,
                     onCut: @escaping @Sendable (Int) async -> Void) -> Response {
        let headers = headers(document: document)
        switch prepared {
        case .whole(let body):
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        case .stream(let reader):
            let documentID = document.id
            let body = ResponseBody(contentLength: reader.plaintextSize) { writer in
                // Each segment is verified before it is written; nothing is kept after it is sent.
                var chunk = ByteBufferAllocator().buffer(capacity: chunkBytes)
                var sent = 0
                do {
                    while try reader.nextSegments(maxSealedBytes: chunkBytes, { chunk.writeBytes($0) }) {
                        try await writer.write(chunk)
                        sent += chunk.readableBytes
                        chunk.clear()
                    }
                } catch let error as VaultCryptoError {
                    logger.critical("stored document failed its integrity check mid-stream", metadata: ["document": "\(documentID)", "error": "\(error)"])
                    await onCut(sent)
                    throw error
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
