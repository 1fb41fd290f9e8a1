import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// `/v1/admin/…`: for the admin credential only. Without it every admin path answers exactly
/// as an unknown route does (404, same body), so the endpoints cannot be discovered.
struct AdminController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/v1/admin/keys", use: keys)
        router.get("/v1/admin/audit/checkpoint", use: latestCheckpoint)
        router.post("/v1/admin/audit/checkpoint", use: signCheckpoint)
    }

    /// The latest audit checkpoint this node signed (one is signed now if there is none yet).
    @Sendable func latestCheckpoint(_ request: Request, context: LockerRequestContext) async throws -> Response {
        try authenticate(request)
        let services = self.services
        let checkpoint = try await services.blocking { try services.auditCheckpoints.current ?? services.auditCheckpoints.signNow(vault: services.vault) }
        return try JSONResponse.encode(checkpoint)
    }

    /// Signs a checkpoint of the chain's last entry now.
    @Sendable func signCheckpoint(_ request: Request, context: LockerRequestContext) async throws -> Response {
        try authenticate(request)
        let services = self.services
        let checkpoint = try await services.blocking { try services.auditCheckpoints.signNow(vault: services.vault) }
        return try JSONResponse.encode(checkpoint)
    }

    /// KEK versions and how many wrapped keys each still holds: a rotation's progress.
    @Sendable func keys(_ request: Request, context: LockerRequestContext) async throws -> Response {
        try authenticate(request)
        let vault = services.vault
        let status = try await services.blocking {
            try vault.refreshKeyring()
            return KeyStatus(keyring: vault.keyring, counts: try vault.wrapCounts())
        }
        return try JSONResponse.encode(status)
    }

    func authenticate(_ request: Request) throws {
        guard let credential = try? Authenticate.bearer(request, prefix: "adm"),
              try AdminCredentials.check(credential, vault: services.vault) else { throw Problem.notFound }
    }
}
