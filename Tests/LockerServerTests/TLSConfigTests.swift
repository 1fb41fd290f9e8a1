import Foundation
import Testing
@testable import LockerServer

/// `--tls-cert` / `--tls-key`: wired like every other option, both or neither, and what TLS
/// changes elsewhere (the default public URL, Secure cookies). Serving itself is e2e/test_tls.py.
@Suite("TLS configuration")
struct TLSConfigTests {
    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "locker-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func load(_ arguments: [String], _ environment: [String: String] = [:], json: String = "{}") async throws -> LockerConfig {
        let file = try folder() + "/lockerd.json"
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        return try await LockerConfig.load(arguments: ["lockerd", "--config", file] + arguments, environment: environment)
    }

    @Test("the certificate and key come from flags, LOCKER_TLS_CERT/LOCKER_TLS_KEY, or tlsCert/tlsKey relative to the file")
    func sources() async throws {
        #expect(try await load([]).tls == nil)
        let cwd = FileManager.default.currentDirectoryPath
        #expect(try await load(["--tls-cert", "/etc/locker/cert.pem", "--tls-key", "key.pem"]).tls
                == TLSFiles(certificate: "/etc/locker/cert.pem", key: cwd + "/key.pem"))
        #expect(try await load([], ["LOCKER_TLS_CERT": "/a/cert.pem", "LOCKER_TLS_KEY": "/a/key.pem"]).tls
                == TLSFiles(certificate: "/a/cert.pem", key: "/a/key.pem"))
        let dir = try folder()
        let file = dir + "/lockerd.json"
        try #"{"tlsCert": "tls/cert.pem", "tlsKey": "/srv/key.pem"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await LockerConfig.load(arguments: ["lockerd", "--config", file], environment: [:])
        #expect(fromFile.tls == TLSFiles(certificate: dir + "/tls/cert.pem", key: "/srv/key.pem"))
        let flagWins = try await LockerConfig.load(arguments: ["lockerd", "--config", file, "--tls-cert", "/x.pem"], environment: ["LOCKER_TLS_CERT": "/y.pem"])
        #expect(flagWins.tls?.certificate == "/x.pem")
    }

    @Test("only one of the two is one line naming the missing one", arguments: [
        (["--tls-cert", "c.pem"], [String: String](), "--tls-cert needs --tls-key"),
        (["--tls-key", "k.pem"], [:], "--tls-key needs --tls-cert"),
        ([], ["LOCKER_TLS_KEY": "k.pem"], "--tls-key needs --tls-cert"),
    ])
    func onlyOne(arguments: [String], environment: [String: String], message: String) async throws {
        let error = await #expect(throws: LockerConfigError.self) { try await load(arguments, environment) }
        #expect(error?.description.hasPrefix(message) == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("with TLS the default public URL is https and cookies are Secure; an explicit URL is kept")
    func publicURLAndCookies() async throws {
        let tls = ["--tls-cert", "/c.pem", "--tls-key", "/k.pem", "--port", "8443"]
        let on = try await load(tls)
        #expect(on.settings.publicURL == "https://127.0.0.1:8443")
        #expect(on.settings.servesTLS && on.settings.secureCookies)
        let behindProxy = try await load(tls + ["--public-url", "https://locker.example"])
        #expect(behindProxy.settings.publicURL == "https://locker.example")
        let plain = try await load(["--port", "8080"])
        #expect(plain.settings.publicURL == "http://127.0.0.1:8080" && !plain.settings.secureCookies)
        // A proxy terminating TLS in front of a plain lockerd: the https public URL alone makes them Secure.
        #expect(try await load(["--public-url", "https://locker.example"]).settings.secureCookies)
    }

    @Test("a missing, unreadable or non-PEM certificate is one line naming the file")
    func badFiles() throws {
        let dir = try folder()
        let missing = TLSFiles(certificate: dir + "/none.pem", key: dir + "/none.key")
        let notFound = #expect(throws: LockerConfigError.self) { try TLSCertificates(files: missing) }
        #expect(notFound?.description == "TLS certificate file \(dir)/none.pem does not exist")
        try "hello".write(toFile: dir + "/cert.pem", atomically: true, encoding: .utf8)
        try "hello".write(toFile: dir + "/key.pem", atomically: true, encoding: .utf8)
        let notPEM = #expect(throws: LockerConfigError.self) { try TLSCertificates(files: TLSFiles(certificate: dir + "/cert.pem", key: dir + "/key.pem")) }
        #expect(notPEM?.description.hasPrefix("TLS certificate file \(dir)/cert.pem holds no PEM certificate") == true)
        let folderAsKey = #expect(throws: LockerConfigError.self) { try TLSCertificates(files: TLSFiles(certificate: dir + "/cert.pem", key: dir)) }
        #expect(folderAsKey?.description == "TLS key file \(dir) is a folder")
    }
}
