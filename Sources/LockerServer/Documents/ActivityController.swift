import Foundation
import Hummingbird
import LockerStore

/// `GET /v1/activity`: every audited event about the citizen's account and documents.
struct ActivityController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/activity", use: list)
    }

    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        let query = request.uri.queryParameters
        var limit = 50
        if let raw = query["limit"] {
            guard let value = Int(String(raw)), (1...200).contains(value) else { throw Problem.badRequest("limit must be an integer 1-200") }
            limit = value
        }
        var before: Int64?
        if let raw = query["before"] {
            guard let value = Int64(String(raw)), value >= 0 else { throw Problem.badRequest("before must be a non-negative integer") }
            before = value
        }
        let events = try services.audit.events(citizenID: citizen.id, limit: limit, before: before)
        return try JSONResponse.encode(ActivityResponse(events: events.map(ActivityResponse.Event.init), next: events.count == limit ? (events.last?.seq ?? 0) : nil))
    }
}
