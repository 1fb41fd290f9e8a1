import Foundation
import Testing
@testable import LockerServer

/// Flags: each at most once; the public URL in one canonical form; connection limits.
@Suite("Flags and limits")
struct FlagTests {
    /// Loads with an empty config file, so only `arguments` and `environment` count.
    func load(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> LockerConfig {
        let file = NSTemporaryDirectory() + "locker-flags-" + UUID().uuidString + ".json"
        try "{}".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return try await LockerConfig.load(arguments: ["lockerd", "--config", file] + arguments, environment: environment)
    }

    @Test("a flag given twice is an error naming it, in either spelling", arguments: [
        ["--storage", "A", "--storage", "B"], ["--port", "1", "--port", "2"], ["--port=1", "--port", "2"], ["--public-url=http://a", "--public-url=http://b"],
    ])
    func repeatedFlag(_ arguments: [String]) async throws {
        let error = await #expect(throws: LockerConfigError.self) { try await load(arguments) }
        let name = arguments[0].split(separator: "=")[0]
        #expect(error?.description == "option \(name) is given more than once")
    }

    @Test("the public URL loses trailing slashes; a query or fragment is refused")
    func publicURL() async throws {
        #expect(try await load(["--public-url", "http://locker.example:8080/"]).settings.publicURL == "http://locker.example:8080")
        #expect(try await load(["--public-url", "https://locker.example/base//"]).settings.publicURL == "https://locker.example/base")
        #expect(try await load([], ["LOCKER_PUBLIC_URL": "http://h/"]).settings.publicURL == "http://h")
        for bad in ["http://h/?x=1", "http://h/#top", "http://h?", "ftp://h", "/relative", "http://user@h"] {
            await #expect(throws: LockerConfigError.self, "\(bad)") { try await load(["--public-url", bad]) }
        }
    }

    @Test("connection limits come from flags and the environment, within their ranges")
    func connectionLimits() async throws {
        let defaults = try await load([]).connections
        #expect(defaults == ConnectionLimits.defaults)
        let set = try await load(["--max-connections", "100", "--max-connections-per-client", "10", "--idle-timeout", "5", "--header-timeout", "2", "--body-timeout", "3"]).connections
        #expect(set == ConnectionLimits(maxConnections: 100, maxPerClient: 10, idleTimeout: .seconds(5), headerTimeout: .seconds(2), bodyTimeout: .seconds(3)))
        #expect(try await load([], ["LOCKER_IDLE_TIMEOUT": "7"]).connections.idleTimeout == .seconds(7))
        for bad in [["--max-connections", "0"], ["--idle-timeout", "0"], ["--header-timeout", "x"], ["--max-connections-per-client", "-1"]] {
            await #expect(throws: LockerConfigError.self, "\(bad)") { try await load(bad) }
        }
        let fitted = ConnectionLimits(maxConnections: 4096, maxPerClient: 4096).fitted(toOpenFileLimit: 1024)
        #expect(fitted.maxConnections == 1024 - ConnectionLimits.reservedFiles && fitted.maxPerClient == fitted.maxConnections / 8,
                "lowered to fit the file limit, one address gets at most an eighth")
    }

    @Test("the connection counter caps in all and per address, and frees on close")
    func counter() {
        let counter = ConnectionCounter(limits: ConnectionLimits(maxConnections: 3, maxPerClient: 2))
        #expect(counter.open("10.0.0.1") && counter.open("10.0.0.1"))
        #expect(!counter.open("10.0.0.1"), "third from one address")
        #expect(counter.open("10.0.0.2"))
        #expect(!counter.open("10.0.0.3"), "over the total")
        counter.close("10.0.0.1")
        #expect(counter.open("10.0.0.3"))
        #expect(counter.total == 3)
    }

    @Test("--help names every flag lockerd accepts")
    func usageListsEveryFlag() {
        for flag in LockerConfig.knownFlags {
            #expect(LockerConfig.usage.contains("--\(flag) ") || LockerConfig.usage.contains("--\(flag)\n"), "--\(flag)")
        }
    }
}
