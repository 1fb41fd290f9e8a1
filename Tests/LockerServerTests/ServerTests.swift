import Foundation
import Hummingbird
import HummingbirdTesting
import LockerStore
import Testing
@testable import LockerServer

/// A harness with a small body limit.
struct TestServer {
    let harness: Harness
    var vault: Vault { harness.vault }

    init(maxBodyBytes: Int = 4096) throws {
        harness = try Harness(maxBodyBytes: maxBodyBytes)
    }

    func app() -> some ApplicationProtocol { harness.app() }
    func router() -> Router<LockerRequestContext> { buildRouter(services: harness.services, config: harness.config) }
    func cleanUp() {}
}

func problem(_ response: TestResponse) throws -> [String: Any] {
    #expect(response.headers[.contentType] == "application/problem+json")
    return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
}

@Suite("HTTP basics")
struct ServerTests {
    @Test("GET /healthz answers 200 with status ok")
    func health() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                #expect(response.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test("an unknown route is a problem+json 404 with a stable type")
    func unknownRoute() async throws {
        let server = try TestServer()
        defer { server.cleanUp() }
        try await server.app().test(.router) { client in
            try await client.execute(uri: "/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body["type"] as? String == "/problems/not-found")
                #expect(body["status"] as? Int == 404)
            }
        }
    }

    @Test("a body over the limit gets 413 problem+json (declared-but-unsent bodies: e2e/test_process.py)")
    func oversizedByContentLength() async throws {
        let server = try TestServer(maxBodyBytes: 4096)
        defer { server.cleanUp() }
        try await server.app().test(.live) { client in
            try await client.execute(uri: "/healthz", method: .post, body: ByteBuffer(repeating: 0x41, count: 5000)) { response in
                #expect(response.status == .contentTooLarge)
                let body = try problem(response)
                #expect(body["type"] as? String == "/problems/payload-too-large")
            }
        }
    }

    @Test("a chunked body that grows past the limit gets 413")
    func oversizedChunked() async throws {
        let server = try TestServer(maxBodyBytes: 4096)
        defer { server.cleanUp() }
        let router = server.router()
        router.post("/echo-size") { request, _ -> String in
            var total = 0
            for try await chunk in request.body { total += chunk.readableBytes }
            return "\(total)"
        }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/echo-size", method: .post, body: ByteBuffer(repeating: 1, count: 10_000)) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: "/echo-size", method: .post, body: ByteBuffer(repeating: 1, count: 100)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "100")
            }
        }
    }

    @Test("an unexpected error becomes a bare 500 problem with no internals in it")
    func internalErrorLeaksNothing() async throws {
        struct SecretError: Error { let secret = "hunter2-internal-detail" }
        let server = try TestServer()
        defer { server.cleanUp() }
        let router = server.router()
        router.get("/boom") { _, _ -> String in throw SecretError() }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                let text = String(buffer: response.body)
                #expect(!text.contains("hunter2"))
                #expect(!text.contains("SecretError"))
                let body = try problem(response)
                #expect(body["type"] as? String == "/problems/internal")
            }
        }
    }

    @Test("a known path with the wrong method gets 405 with Allow; an unknown path 404")
    func methodNotAllowed() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let trace = try await client.execute(uri: "/v1/activity", method: .trace)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET, HEAD")
            let put = try await client.execute(uri: "/v1/documents/\(String(repeating: "a", count: 32))", method: .put)
            #expect(put.status == .methodNotAllowed)
            #expect(try problem(put)["type"] as? String == "/problems/method-not-allowed")
            #expect(try await client.execute(uri: "/v1/nothing", method: .trace).status == .notFound)
        }
    }

    @Test("share-link paths are redacted in the request log")
    func redaction() {
        #expect(RequestLogMiddleware<LockerRequestContext>.redact("/s/abcDEF123secret") == "/s/[redacted]")
        #expect(RequestLogMiddleware<LockerRequestContext>.redact("/v1/documents") == "/v1/documents")
    }
}

@Suite("Router configuration")
struct RouterConfigurationTests {
    @Test("two routers built in one process keep their own body limits (no process-wide setting)")
    func bodyLimitsArePerRouter() async throws {
        let small = try TestServer(maxBodyBytes: 1000)
        let large = try TestServer(maxBodyBytes: 50_000)
        let first = small.router(), second = large.router()
        for router in [first, second] {
            router.get("/limit") { _, context -> String in "\(context.maxUploadSize)" }
        }
        try await Application(router: first).test(.router) { client in
            try await client.execute(uri: "/limit", method: .get) { response in #expect(String(buffer: response.body) == "1000") }
        }
        try await Application(router: second).test(.router) { client in
            try await client.execute(uri: "/limit", method: .get) { response in #expect(String(buffer: response.body) == "50000") }
        }
    }
}
