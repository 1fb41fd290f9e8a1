import Foundation
import Testing
@testable import LockerServer

@Suite("Configuration")
struct ConfigTests {
    func tempConfig(_ json: String) throws -> String { try TempConfig.write(json) }

    @Test("flags override the environment, which overrides the file")
    func precedence() async throws {
        let file = try tempConfig(#"{"port": 7001, "host": "127.0.0.2", "logLevel": "debug"}"#)
        let fromFile = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:])
        #expect(fromFile.port == 7001)
        #expect(fromFile.host == "127.0.0.2")
        #expect(fromFile.logLevel == .debug)
        let fromEnv = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: ["LOCKER_PORT": "7002"])
        #expect(fromEnv.port == 7002)
        let fromFlag = try await LockerConfig.load(arguments: ["lockerd", "--config", file, "--port", "7003"], environment: ["LOCKER_PORT": "7002"])
        #expect(fromFlag.port == 7003)
    }

    @Test("a relative storage path in the file is taken from the file's folder; from a flag, from the working directory")
    func storagePaths() async throws {
        let file = try tempConfig(#"{"storage": "../Vault"}"#)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().path
        let fromFile = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:])
        #expect(fromFile.storagePath == folder + "/Vault")
        let fromEnv = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: ["LOCKER_STORAGE": "/srv/locker"])
        #expect(fromEnv.storagePath == "/srv/locker")
        let fromFlag = try await LockerConfig.load(arguments: ["lockerd", "--config", file, "--storage", "data"], environment: [:])
        #expect(fromFlag.storagePath == FileManager.default.currentDirectoryPath + "/data")
    }

    @Test("bad values fail with one line naming the key", arguments: [
        (["--port", "abc"], "port"), (["--port", "0"], "port"), (["--port", "70000"], "port"),
        (["--log-level", "loud"], "logLevel"), (["--max-body-bytes", "10"], "maxBodyBytes"), (["--prot", "1"], "--prot"),
        (["--time-zone", "Mars/Olympus_Mons"], "timeZone"),
    ])
    func badValues(arguments: [String], key: String) async throws {
        let error = await #expect(throws: LockerConfigError.self) {
            try await LockerConfig.load(arguments: ["lockerd"] + arguments, environment: [:])
        }
        #expect(error?.description.contains(key) == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("the portal's time zone defaults to Asia/Kolkata and comes from the flag, LOCKER_TIME_ZONE or timeZone in the file")
    func timeZone() async throws {
        let file = try tempConfig(#"{"timeZone": "Europe/London"}"#)
        let none = try await LockerConfig.load(arguments: ["lockerd", "--config", try tempConfig("{}")], environment: [:])
        #expect(none.settings.timeZone.identifier == "Asia/Kolkata")
        let fromFile = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:])
        #expect(fromFile.settings.timeZone.identifier == "Europe/London")
        let fromEnv = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: ["LOCKER_TIME_ZONE": "Asia/Tokyo"])
        #expect(fromEnv.settings.timeZone.identifier == "Asia/Tokyo")
        let fromFlag = try await LockerConfig.load(arguments: ["lockerd", "--config", file, "--time-zone", "America/New_York"], environment: ["LOCKER_TIME_ZONE": "Asia/Tokyo"])
        #expect(fromFlag.settings.timeZone.identifier == "America/New_York")
    }

    @Test("a wrongly typed value in the file is refused, not silently defaulted")
    func wrongTypeInFile() async throws {
        let file = try tempConfig(#"{"port": "eighty"}"#)
        let error = await #expect(throws: LockerConfigError.self) { try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:]) }
        #expect(error?.description.contains("port") == true)
    }

    @Test("a config file that is not JSON, or is missing when named, is refused")
    func badFile() async throws {
        let file = try tempConfig("{ port: ")
        let error = await #expect(throws: LockerConfigError.self) { try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:]) }
        #expect(error?.description.contains("not valid JSON") == true)
        await #expect(throws: LockerConfigError.self) { try await LockerConfig.load(arguments: ["lockerd", "--config", "/nonexistent/lockerd.json"], environment: [:]) }
    }
}
