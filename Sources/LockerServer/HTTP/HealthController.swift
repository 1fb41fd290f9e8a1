import Foundation
import Hummingbird
import LockerStore

/// `GET /healthz`: 200 when the database answers and the storage folder is writable.
struct HealthController {
    let storage: any StorageMaintenance
    let blobDirectory: String

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/healthz") { _, _ -> Response in
            do {
                try storage.ping()
            } catch {
                throw Problem.unavailable
            }
            guard FileManager.default.isWritableFile(atPath: blobDirectory) else { throw Problem.unavailable }
            let body = #"{"status":"ok"}"#
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }
}
