import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import LockerServer

@Suite("OpenAPI contract")
struct ContractTests {
    /// The repository's openapi.yaml (the resource lockerd serves is the same file).
    static var specPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("openapi.yaml").path
    }

    @Test("GET /openapi.yaml serves the repository's contract byte for byte")
    func servedSpecIsTheRepoSpec() async throws {
        let h = try Harness()
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: Self.specPath))
        try await h.app().test(.router) { client in
            let r = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(r.status == .ok)
            #expect(Data(buffer: r.body) == onDisk)
        }
    }

    @Test("every route the router serves is described in openapi.yaml, with its method")
    func everyRouteIsDocumented() throws {
        let spec = try String(contentsOfFile: Self.specPath, encoding: .utf8)
        let h = try Harness()
        let router = buildRouter(services: h.services, config: h.config)
        for route in router.routes {
            let documented = route.path.description  // "/v1/documents/{id}"
            #expect(spec.contains("\n  \(documented):"), "route \(route.method) \(documented) is not in openapi.yaml")
            // The method appears under that path's block.
            if let range = spec.range(of: "\n  \(documented):") {
                let block = spec[range.upperBound...].prefix { _ in true }
                let nextPath = block.range(of: "\n  /")?.lowerBound ?? block.endIndex
                #expect(block[..<nextPath].contains("\n    \(route.method.rawValue.lowercased()):"), "\(route.method) \(documented) missing its method")
            }
        }
    }
}
