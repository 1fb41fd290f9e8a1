import Foundation
import Hummingbird
import HTTPTypes

/// `application/x-www-form-urlencoded` bodies (bounded by the route's body limit); the first
/// value of each field counts. Anything else is a 400.
enum PortalForm {
    static func read(_ request: Request, context: LockerRequestContext, required: [String]) async throws -> [String: String] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            throw Problem.badRequest("Send the form as application/x-www-form-urlencoded.")
        }
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        var fields = [String: String]()
        for (key, value) in FormBody.pairs(String(buffer: buffer)) where fields[key] == nil {
            guard let value else { throw Problem.badRequest("The form is not validly encoded.") }
            fields[key] = value
        }
        let missing = required.filter { fields[$0] == nil }
        guard missing.isEmpty else { throw Problem.badRequest("The form lacks \(missing.joined(separator: ", ")).") }
        return fields
    }
}
