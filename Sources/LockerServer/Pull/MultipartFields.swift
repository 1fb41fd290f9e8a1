import Foundation
import Hummingbird

/// A small `multipart/form-data` form (text fields only) as name → value, through the same
/// streaming reader as pushes; bounded in bytes and fields, each name once.
enum MultipartFields {
    static func read(_ request: Request, context: LockerRequestContext, limit: Int = 16 * 1024) async throws -> [String: String] {
        guard let boundary = multipartBoundary(request.headers[.contentType]) else {
            throw Problem.badRequest("Send the form as multipart/form-data with a boundary.")
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: limit) else { throw Problem.tooLarge(limit: limit) }
        let parser = MultipartStream(boundary: boundary)
        var fields = [String: String]()
        var name: String?
        var value = [UInt8]()
        var failure: String?
        parser.onHeader = { header, text in
            guard header == "content-disposition" else { return }
            name = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("name=") }.map { String($0.dropFirst(5)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        parser.onBodyStart = { value = [] }
        parser.onBody = { value.append(contentsOf: $0) }
        parser.onPartComplete = {
            guard let current = name, let text = String(validating: value, as: UTF8.self) else { failure = "a part without a name or with non-UTF-8 text"; return }
            if fields[current] != nil { failure = "\(current) is given more than once" }
            if fields.count >= 20 { failure = "too many fields" }
            fields[current] = text
            name = nil
        }
        do {
            try body.withUnsafeReadableBytes { try parser.feed($0) }
        } catch {
            throw Problem.badRequest("The multipart body is malformed.")
        }
        guard parser.isComplete else { throw Problem.badRequest("The multipart body does not end with its closing boundary.") }
        if let failure { throw Problem.badRequest("The form has \(failure).") }
        return fields
    }
}
