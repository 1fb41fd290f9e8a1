import Foundation
import Hummingbird
import HTTPTypes

/// `application/x-www-form-urlencoded` bodies (bounded by the route's body limit); the first
/// value of each field counts. Anything else is a 400.
enum PortalForm {
    static func read(_ request: Request, context: LockerRequestContext, required: [String]) async throws -> [String: String] {
        let fields: [String: String]
        switch await FormBody.fields(request, limit: context.maxUploadSize, rejectRepeats: false) {
        case .success(let read): fields = read
        case .failure(.notAForm): throw Problem.badRequest("Send the form as application/x-www-form-urlencoded.")
        case .failure(.tooLarge): throw Problem.tooLarge(limit: context.maxUploadSize)
        case .failure: throw Problem.badRequest("The form is not validly encoded.")
        }
        let missing = required.filter { fields[$0] == nil }
        guard missing.isEmpty else { throw Problem.badRequest("The form lacks \(missing.joined(separator: ", ")).") }
        return fields
    }
}
