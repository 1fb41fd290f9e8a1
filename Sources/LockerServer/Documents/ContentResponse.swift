import Foundation
import Hummingbird
import HTTPTypes
import LockerCore
import LockerStore
import Logging

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
            while try reader.nextSegments(maxSealedBytes: Envelope.sealedSize(plaintextSize: wholeBodyLimit), into: &body) {}
        } catch let error as VaultCryptoError {
            logger.critical("stored document failed its integrity check", metadata: ["document": "\(document.id)", "error": "\(error)"])
            throw Problem.integrityFailure
        }
        return .whole(body)
    }

    /// `head` for a stored document: the blob is opened off the request loop when it is across a network.
    static func head(services: LockerServices, document: DocumentRecord, owner: CitizenRecord) async throws -> Response {
        let vault = services.vault
        let reader = try await offLoop(services) { try vault.openDocument(document, owner: owner) }
        return head(reader: reader, document: document)
    }

    /// Opens and prepares a stored document; with an object store both run on the blocking-I/O
    /// pool, since they wait for the store's answers (a local file is read where the request runs).
    static func prepare(services: LockerServices, document: DocumentRecord, owner: CitizenRecord, logger: Logger) async throws -> Prepared {
        let vault = services.vault
        return try await offLoop(services) { try prepare(reader: vault.openDocument(document, owner: owner), document: document, logger: logger) }
    }

    /// Runs `work` on the blocking-I/O pool when blobs are in an object store, else right here.
    static func offLoop<T: Sendable>(_ services: LockerServices, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        services.vault.blobs.isRemote ? try await services.blocking(work) : try work()
    }

    /// The next streamed piece of a document (nil once every segment is out), read off the
    /// request loop when the blob is in an object store.
    static func nextChunk(_ reader: DocumentReader, services: LockerServices) async throws -> ByteBuffer? {
        try await offLoop(services) {
            var chunk = ByteBufferAllocator().buffer(capacity: chunkBytes)
            return try reader.nextSegments(maxSealedBytes: chunkBytes, into: &chunk) ? chunk : nil
        }
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
    static func make(_ prepared: Prepared, document: DocumentRecord, services: LockerServices, logger: Logger,
                     onCut: @escaping @Sendable (Int) async -> Void) -> Response {
        let headers = headers(document: document)
        switch prepared {
        case .whole(let body):
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        case .stream(let reader):
            let documentID = document.id
            let body = ResponseBody(contentLength: reader.plaintextSize) { writer in
                // Each segment is verified before it is written; nothing is kept after it is sent.
                var sent = 0
                do {
                    while let chunk = try await nextChunk(reader, services: services) {
                        try await writer.write(chunk)
                        sent += chunk.readableBytes
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
