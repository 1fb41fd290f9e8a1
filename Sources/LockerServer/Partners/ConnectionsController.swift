import Foundation
import Hummingbird
import LockerStore

/// The citizen's connected partner apps over the API: list them, end one at once.
struct ConnectionsController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/connections", use: list)
        router.delete("/v1/connections/{id}", use: disconnect)
    }

    @Sendable func list(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        return try JSONResponse.encode(ConnectionListResponse(connections: try services.partners.connections(of: citizen).map(ConnectionListResponse.Connection.init)))
    }

    @Sendable func disconnect(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (_, citizen) = try Authenticate.session(request, services: services)
        try await services.partners.disconnect(citizen: citizen, id: context.parameters.get("id"))
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}
