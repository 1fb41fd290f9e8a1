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
                    while try reader.nextSegments(maxSealedBytes: chunkBytes, into: &chunk) {
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
