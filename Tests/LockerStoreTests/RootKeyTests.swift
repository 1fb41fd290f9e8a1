import Crypto
import Foundation
import Testing
@testable import LockerStore

@Suite("Root key: PKCS#11 URIs, the software wrapper's format, SoftHSM2")
struct RootKeyTests {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"

    @Test("a full RFC 7512 URI is read, percent-decoded, and printed again without a PIN")
    func parsesURI() throws {
        let uri = try PKCS11URI("pkcs11:token=My%20Token;object=locker%3Broot;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/locker/hsm.pin")
        #expect(uri.token == "My Token")
        #expect(uri.object == "locker;root")
        #expect(uri.modulePath == Self.module)
        #expect(uri.pinFile == "/etc/locker/hsm.pin")
        #expect(try PKCS11URI(uri.description) == uri, "the printed form reads back the same")
        #expect(try PKCS11URI("PKCS11:token=t;object=o?module-path=/m.so").pinFile == nil, "the scheme is case-insensitive; the PIN may come from LOCKER_HSM_PIN")
        #expect(try PKCS11URI("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file:///p").pinFile == "/p")
    }

    @Test("hostile or wrong URIs are refused with one line naming the problem", arguments: [
        ("pkcs11:token=t;object=o?module-path=/m.so&pin-value=1234", "pin-value is not accepted"),
        ("pkcs11:token=t;object=o;pin-value=1234?module-path=/m.so", "pin-value is not accepted"),
        ("pkcs11:object=o?module-path=/m.so", "token=LABEL is missing"),
        ("pkcs11:token=t?module-path=/m.so", "object=KEYLABEL is missing"),
        ("pkcs11:token=t;object=o", "module-path"),
        ("pkcs11:token=t;object=o?module-path=m.so", "absolute"),
        ("pkcs11:token=t;token=u;object=o?module-path=/m.so", "more than once"),
        ("pkcs11:token=t;object=o?module-path=/m.so&module-path=/n.so", "more than once"),
        ("pkcs11:token=t%zz;object=o?module-path=/m.so", "two hex digits"),
        ("pkcs11:token=t%4;object=o?module-path=/m.so", "two hex digits"),
        ("pkcs11:token=t;object=o%?module-path=/m.so", "two hex digits"),
        ("pkcs11:token=t%00x;object=o?module-path=/m.so", "control characters"),
        ("pkcs11:token=t;object=o%0A?module-path=/m.so", "control characters"),
        ("pkcs11:token=%ff%fe;object=o?module-path=/m.so", "not UTF-8"),
        ("pkcs11:token=t;object=o;serial=1?module-path=/m.so", "not supported"),
        ("pkcs11:token=t;object=o?module-path=/m.so&module-name=x", "not supported"),
        ("pkcs11:token=t;object=o;type=private?module-path=/m.so", "type must be secret-key"),
        ("pkcs11:token=\(String(repeating: "a", count: 33));object=o?module-path=/m.so", "at most 32 bytes"),
        ("pkcs11:token=;object=o?module-path=/m.so", "token is empty"),
        ("pkcs11:token;object=o?module-path=/m.so", "has no value"),
        ("pkcs11:=t;object=o?module-path=/m.so", "has no name"),
        ("pkcs11:token=t;object=o?module-path=/m.so#frag", "fragment"),
        ("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file://host/pin", "local file"),
        ("pkcs11:token=t;object=o?module-path=/m.so&pin-source=relative.pin", "absolute path"),
        ("pkcs11:token=t;object=o?module-path=/\(String(repeating: "x", count: 4100))", "longer than"),
        ("pkcs12:token=t;object=o?module-path=/m.so", "start with pkcs11:"),
        ("pkcs11:", "token=LABEL is missing"),
    ])
    func refusesURI(text: String, expected: String) {
        #expect {
            try PKCS11URI(text)
        } throws: { error in
            let message = "\(error)"
            return message.contains(expected) && message.hasPrefix("invalid PKCS#11 URI: ") && !message.contains("\n")
        }
    }

    @Test("a root key source is a pkcs11: URI or else a file made absolute")
    func source() throws {
        #expect(try RootKeySource("root.key", base: "/srv/locker") == .file("/srv/locker/root.key"))
        #expect(try RootKeySource("/etc/locker/../root.key") == .file("/etc/root.key"))
        guard case .pkcs11(let uri) = try RootKeySource("pkcs11:token=t;object=o?module-path=/m.so") else {
            Issue.record("not read as a PKCS#11 URI")
            return
        }
        #expect(uri.token == "t")
        #expect(throws: StoreError.self) { try RootKeySource("") }
    }

    @Test("the PIN comes from pin-source (owner-only file, one newline dropped) or LOCKER_HSM_PIN")
    func pin() throws {
        let storage = TempStorage()
        let path = storage.path + "/pin"
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data("1234\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(try PKCS11URI("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file:\(path)").pin(environment: [:]) == "1234")
        #expect(try PKCS11URI("pkcs11:token=t;object=o?module-path=/m.so").pin(environment: ["LOCKER_HSM_PIN": "99"]) == "99")
        #expect(throws: StoreError.self) { try PKCS11URI("pkcs11:token=t;object=o?module-path=/m.so").pin(environment: [:]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: StoreError.self) { try PKCS11URI("pkcs11:token=t;object=o?module-path=/m.so&pin-source=file:\(path)").pin(environment: [:]) }
    }

    @Test("the software root key keeps the sealed box's combined format, both ways")
    func softwareFormat() throws {
        let key = SymmetricKey(size: .bits256)
        let root = SoftwareRootKey(key: key)
        let aad = Array("locker-root-wrap-v1|vault|kek-1".utf8)
        let secret = (0..<32).map { UInt8($0) }
        let sealed = try root.wrap(secret, authenticating: aad)
        #expect(sealed.count == 12 + 32 + 16)
        #expect(Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: aad)) == secret)
        let old = try AES.GCM.seal(secret, using: key, authenticating: aad).combined!
        #expect(try root.unwrap(old, authenticating: aad) == secret, "rows wrapped before the seam still open")
        #expect(throws: (any Error).self) { try root.unwrap(old, authenticating: Array("locker-root-wrap-v1|vault|kek-2".utf8)) }
    }

    @Test("in SoftHSM2: a created key is sensitive and not extractable, its value is refused, and it seals and opens in the token",
          .enabled(if: FileManager.default.fileExists(atPath: module) && FileManager.default.isExecutableFile(atPath: "/usr/bin/softhsm2-util")))
    func softHSM() throws {
        let storage = TempStorage()
        let tokens = storage.path + "/tokens"
        try FileManager.default.createDirectory(atPath: tokens, withIntermediateDirectories: true)
        let conf = storage.path + "/softhsm2.conf"
        try "directories.tokendir = \(tokens)\nobjectstore.backend = file\nlog.level = ERROR\n".write(toFile: conf, atomically: true, encoding: .utf8)
        // The module reads SOFTHSM2_CONF when first initialised; this is the only test that loads it.
        setenv("SOFTHSM2_CONF", conf, 1)
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        tool.arguments = ["--init-token", "--free", "--label", "swift-test", "--pin", "1234", "--so-pin", "5678"]
        tool.standardOutput = FileHandle.nullDevice
        try tool.run()
        tool.waitUntilExit()
        #expect(tool.terminationStatus == 0)
        let uri = try PKCS11URI("pkcs11:token=swift-test;object=root?module-path=\(Self.module)")
        let environment = ["LOCKER_HSM_PIN": "1234"]
        try PKCS11RootKey.create(uri: uri, environment: environment)
        #expect(throws: PKCS11Error.self) { try PKCS11RootKey.create(uri: uri, environment: environment) }
        let root = try PKCS11RootKey(uri: uri, environment: environment)
        let info = try root.info()
        #expect(info.valueReadable == false, "the token gave out the root key's value")
        #expect(info.sensitive == true && info.extractable == false && info.sealOpenRoundTrip)
        let aad = Array("locker-root-wrap-v1|vault|index".utf8)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let sealed = try root.wrap(secret, authenticating: aad)
        #expect(sealed.count == 60)
        #expect(try root.unwrap(sealed, authenticating: aad) == secret)
        var flipped = sealed
        flipped[20] ^= 1
        // SoftHSM reports a wrong tag as a generic error: match on the failure, not the code.
        #expect(throws: (any Error).self) { try root.unwrap(flipped, authenticating: aad) }
        #expect(throws: (any Error).self) { try root.unwrap(sealed, authenticating: Array("other".utf8)) }
        #expect(try root.unwrap(sealed, authenticating: aad) == secret, "the session still works after refusals")
        // (A wrong PIN is tested across processes in e2e/test_hsm.py: PKCS#11 logs in the whole
        // process, so once logged in here the token answers CKR_USER_ALREADY_LOGGED_IN.)
        #expect(throws: PKCS11Error.self) {
            try PKCS11RootKey(uri: try PKCS11URI("pkcs11:token=swift-test;object=absent?module-path=\(Self.module)"), environment: environment)
        }
        #expect(throws: PKCS11Error.self) {
            try PKCS11RootKey(uri: try PKCS11URI("pkcs11:token=absent;object=root?module-path=\(Self.module)"), environment: environment)
        }
    }
}
