import Crypto
import Foundation
import LockerCore
import LockerStore
import NIOCore

/// Reads a push's multipart body as it streams in: `metadata` (JSON, buffered, ≤ 64 KiB),
/// `content` (sealed segment by segment straight into a new blob, never buffered whole),
/// `signature` (≤ 256 bytes). Any deviation stops the read with a problem.
///
/// Used by one request task only; the parser's callbacks run synchronously inside `feed`.
final class PushBodyReader {
    enum Part { case none, metadata, content, signature, extra }

    private let parser: MultipartStream
    private let maxDocumentBytes: Int
    private let maxMetadataBytes: Int
    /// Called once the metadata part is complete and valid; returns the writer for content.
    private let startContent: (PushMetadata, String) throws -> DocumentWriter

    private var part: Part = .none
    private var partHeaders: [String: String] = [:]
    private var completedParts = 0
    private(set) var metadataBytes: [UInt8] = []
    private(set) var metadata: PushMetadata?
    private(set) var contentType: String?
    private(set) var writer: DocumentWriter?
    private(set) var signatureText: [UInt8] = []
    private(set) var failure: Problem?

    init(boundary: String, maxDocumentBytes: Int, maxMetadataBytes: Int, startContent: @escaping (PushMetadata, String) throws -> DocumentWriter) {
        self.parser = MultipartStream(boundary: boundary)
        self.maxDocumentBytes = maxDocumentBytes
        self.maxMetadataBytes = maxMetadataBytes
        self.startContent = startContent
        parser.onHeader = { [unowned self] name, value in
            self.partHeaders[name] = value
        }
        parser.onBodyStart = { [unowned self] in
            self.beginPartIfNeeded()
        }
        parser.onBody = { [unowned self] bytes in
            self.body(bytes)
        }
        parser.onPartComplete = { [unowned self] in
            self.complete()
        }
    }

    /// Feeds one chunk; throws the first problem found.
    func feed(_ buffer: ByteBuffer) throws {
        do {
            try buffer.withUnsafeReadableBytes { try parser.feed($0) }
        } catch let error as MultipartStream.Malformed {
            fail(.badRequest("The multipart body is malformed: \(error.description)."))
        } catch {
            fail(.badRequest("The multipart body is malformed."))
        }
        if let failure { throw failure }
    }

    /// Checks the body ended with all three parts.
    func finish() throws {
        if let failure { throw failure }
        guard parser.isComplete, completedParts == 3, metadata != nil, writer != nil else {
            throw Problem.badRequest("The multipart body must hold the parts metadata, content and signature, in that order, and end with the closing boundary.")
        }
    }

    /// Discards the unfinished blob, if any.
    func abort() {
        writer?.abort()
        writer = nil
    }

    private func fail(_ problem: Problem) {
        if failure == nil { failure = problem }
    }

    private func partName() -> String? {
        guard let disposition = partHeaders["content-disposition"] else { return nil }
        for item in disposition.split(separator: ";").map({ ASCII.trim($0) }) where item.hasPrefix("name=") {
            return String(ASCII.trim(item.dropFirst(5), dropping: [UInt8(ascii: "\"")]))
        }
        return nil
    }

    private func beginPartIfNeeded() {
        guard part == .none, failure == nil else { return }
        let expected: [Part] = [.metadata, .content, .signature]
        let names = ["metadata", "content", "signature"]
        guard completedParts < 3 else { part = .extra; fail(.badRequest("Unexpected part after signature.")); return }
        guard partName() == names[completedParts] else {
            part = .extra
            fail(.badRequest("Expected the part \"\(names[completedParts])\" here; parts must be metadata, content, signature in that order."))
            return
        }
        part = expected[completedParts]
        if part == .content { startContentPart() }
    }

    private func startContentPart() {
        guard let metadata else { return }
        let type = (partHeaders["content-type"] ?? "").split(separator: ";").first.map { ASCII.trim($0).lowercased() } ?? ""
        guard type == "application/pdf" || type == "application/json" else {
            fail(Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail: "The content part must be application/pdf or application/json."))
            return
        }
        contentType = type
        do {
            writer = try startContent(metadata, type)
        } catch let problem as Problem {
            fail(problem)
        } catch {
            fail(.internalError)
        }
    }

    private func body(_ buffer: UnsafeRawBufferPointer) {
        beginPartIfNeeded()
        guard failure == nil else { return }
        switch part {
        case .metadata:
            guard metadataBytes.count + buffer.count <= maxMetadataBytes else {
                fail(.badRequest("The metadata part exceeds \(maxMetadataBytes) bytes."))
                return
            }
            metadataBytes.append(contentsOf: buffer)
        case .content:
            guard let writer else { return }
            guard writer.size + buffer.count <= maxDocumentBytes else {
                fail(Problem.tooLarge(limit: maxDocumentBytes))
                return
            }
            do {
                try writer.append(buffer)
            } catch {
                fail(.internalError)
            }
        case .signature:
            guard signatureText.count + buffer.count <= 256 else {
                fail(.badRequest("The signature part is too long."))
                return
            }
            signatureText.append(contentsOf: buffer)
        case .none, .extra:
            break
        }
    }

    private func complete() {
        beginPartIfNeeded()  // a part with an empty body still counts
        guard failure == nil else { return }
        switch part {
        case .metadata:
            if let refusal = JSONDuplicateKeys.refusal(metadataBytes) {
                fail(.badRequest("The metadata part \(refusal)."))
                return
            }
            do {
                let decoded = try JSONDecoder().decode(PushMetadata.self, from: Data(metadataBytes))
                if let problem = decoded.problem() {
                    fail(.badRequest(problem))
                    return
                }
                metadata = decoded
            } catch let error as DecodingError {
                fail(.badRequest(Self.describe(error)))
                return
            } catch {
                fail(.badRequest("The metadata part is not valid JSON of the documented shape."))
                return
            }
        case .content, .signature:
            break
        case .none, .extra:
            return
        }
        completedParts += 1
        part = .none
        partHeaders = [:]
    }
}

extension PushBodyReader {
    /// What is wrong with the metadata, naming the field: "The metadata lacks the required field
    /// claims." rather than a general complaint about its shape.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "The metadata lacks the required field \(path(context.codingPath, key)) (required: mobile, docType, docId, issuedOn, claims)."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = path(context.codingPath)
            let expected = field == "claims" ? "an object" : field.hasPrefix("claims.") ? "a string, an integer or a boolean" : "a string"
            return field.isEmpty ? "The metadata must be a JSON object." : "The metadata field \(field) must be \(expected)."
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if field.hasPrefix("claims.") { return "The metadata field \(field) must be a string, an integer or a boolean." }
            return "The metadata part is not valid JSON."
        @unknown default:
            return "The metadata part is not valid JSON of the documented shape."
        }
    }
}

/// The boundary of a `multipart/form-data` content type, or nil.
func multipartBoundary(_ contentType: String?) -> String? {
    guard let contentType else { return nil }
    let items = contentType.split(separator: ";").map { ASCII.trim($0) }
    guard items.first?.lowercased() == "multipart/form-data" else { return nil }
    for item in items.dropFirst() where item.lowercased().hasPrefix("boundary=") {
        let value = String(ASCII.trim(item.dropFirst(9), dropping: [UInt8(ascii: "\"")]))
        guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        return value
    }
    return nil
}
