import Foundation
import LockerStore
import Testing
@testable import LockerServer

@Suite("Configuration: the root key of a PostgreSQL deployment")
struct RootKeyConfigTests {
    static let database = "postgres://locker@127.0.0.1:5432/locker"
    static let uri = "pkcs11:token=locker;object=root?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/locker/hsm.pin"

    func tempConfig(_ json: String) throws -> String { try TempConfig.write(json) }

    @Test("--root-key takes a pkcs11: URI from the flag, LOCKER_ROOT_KEY or rootKey in the file; a relative file from the file's folder")
    func sources() async throws {
        let none = try tempConfig("{}")
        let fromFlag = try await LockerConfig.load(arguments: ["lockerd", "--config", none, "--database", Self.database, "--root-key", Self.uri], environment: [:])
        #expect(fromFlag.rootKey == .pkcs11(try PKCS11URI(Self.uri)))
        #expect(fromFlag.rootKeyFile == nil)
        let fromEnv = try await LockerConfig.load(arguments: ["lockerd", "--config", none], environment: ["LOCKER_DATABASE": Self.database, "LOCKER_ROOT_KEY": Self.uri])
        #expect(fromEnv.rootKey == .pkcs11(try PKCS11URI(Self.uri)))
        let file = try tempConfig(#"{"database": "\#(Self.database)", "rootKey": "keys/root.key"}"#)
        let fromFile = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:])
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        #expect(fromFile.rootKey == .file(folder + "/keys/root.key"))
        #expect(fromFile.rootKeyFile == folder + "/keys/root.key")
        let legacy = try await LockerConfig.load(arguments: ["lockerd", "--config", none, "--database", Self.database, "--root-key-file", "/k"], environment: [:])
        #expect(legacy.rootKey == .file("/k"))
    }

    @Test("refused in one line: both root keys, a root key without a database, a database without one, a bad URI, a PIN in the URI", arguments: [
        (["--database", database, "--root-key", uri, "--root-key-file", "/k"], [String: String](), "give one"),
        (["--database", database, "--root-key", uri], ["LOCKER_ROOT_KEY_FILE": "/k"], "give one"),
        (["--root-key", uri], [:], "only for a PostgreSQL deployment"),
        (["--database", database], [:], "--root-key"),
        (["--database", database, "--root-key", "pkcs11:token=t"], [:], "invalid value for rootKey: invalid PKCS#11 URI: object=KEYLABEL is missing"),
        (["--database", database, "--root-key", "pkcs11:token=t;object=o?module-path=/m.so&pin-value=1"], [:], "pin-value is not accepted"),
    ])
    func refusals(arguments: [String], environment: [String: String], expected: String) async throws {
        let config = try tempConfig("{}")
        let error = await #expect(throws: LockerConfigError.self) {
            try await LockerConfig.load(arguments: ["lockerd", "--config", config] + arguments, environment: environment)
        }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }
}
