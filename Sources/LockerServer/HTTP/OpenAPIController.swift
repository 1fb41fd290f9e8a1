import Foundation
import Hummingbird

/// `GET /openapi.yaml`: the contract, served from the copy bundled with the server.
struct OpenAPIController {
    let document: ByteBuffer

    init() {
        let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        let data = url.flatMap { try? Data(contentsOf: $0) } ?? Data("openapi: 3.1.0\n".utf8)
        document = ByteBuffer(bytes: data)
    }

    func addRoutes(to router: Router<LockerRequestContext>) {
        let document = self.document
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml", .cacheControl: "no-cache"], body: .init(byteBuffer: document))
        }
    }
}
