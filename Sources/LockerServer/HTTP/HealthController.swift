import Foundation
import Hummingbird
import LockerStore

/// `GET /healthz`: 200 when the database answers and the storage folder is writable.
struct HealthController {
    let vault: Vault

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            do {
                try vault.database.read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
            } catch {
                throw Problem.unavailable
            }
            guard FileManager.default.isWritableFile(atPath: vault.layout.blobDirectory) else { throw Problem.unavailable }
            let body = #"{"status":"ok"}"#
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
