import Crypto
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import LockerCore
import LockerStore
import Logging
import Synchronization
@testable import LockerServer

/// A clock tests move by hand: expiry is tested without sleeping.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Stands in for the SMS gateway (a party outside Locker): keeps messages in memory.
final class RecordingSMS: SMSSender {
    private let messages = Mutex<[(to: String, text: String)]>([])
    func send(to mobile: String, text: String) async throws { messages.withLock { $0.append((mobile, text)) } }
    func lastOTP(for mobile: String) -> String? {
        messages.withLock { list in
            list.last(where: { $0.to == mobile }).flatMap { m in m.text.firstMatch(of: /\d{6}/).map { String($0.output) } }
        }
    }
    var count: Int { messages.withLock { $0.count } }
    func lastText(for mobile: String) -> String? { messages.withLock { $0.last(where: { $0.to == mobile })?.text } }
}

/// An issuer with its signing key and API key.
struct TestIssuer {
    let id: String
    let key = Curve25519.Signing.PrivateKey()
    let apiKey = Credential.make(prefix: "iss")
}

/// A vault in a throwaway folder, services on a test clock, and helpers for the common steps.
final class Harness: @unchecked Sendable {
    let path = NSTemporaryDirectory() + "locker-http-" + UUID().uuidString
    let vault: Vault
    let clock = TestClock()
    let sms = RecordingSMS()
    let services: LockerServices
    let config: LockerConfig

    init(maxDocumentBytes: Int = 1 << 20, maxBodyBytes: Int = 64 << 10) throws {
        var config = LockerConfig(storagePath: path, maxBodyBytes: maxBodyBytes)
        config.settings.maxDocumentBytes = maxDocumentBytes
        self.config = config
        vault = try Vault.open(layout: StorageLayout(root: path))
        let clock = self.clock
        services = LockerServices(vault: vault, sms: sms, settings: config.settings, clock: { clock.now })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The application; `logger` replaces Hummingbird's default (stdout) for tests that cause
    /// errors on purpose and check the log instead of printing it.
    func app(logger: Logger? = nil) -> some ApplicationProtocol {
        Application(router: buildRouter(services: services, config: config), logger: logger)
    }

    func register(_ issuer: TestIssuer, name: String = "Test Issuer", docTypes: [String] = ["VACER", "MARKS"]) throws {
        let record = IssuerRecord(id: issuer.id, name: name, publicKey: issuer.key.publicKey.rawRepresentation,
                                  apiKeyHash: Data(Credential.hash(issuer.apiKey)), createdAt: clock.now, docTypes: docTypes)
        try vault.database.pool.write { db in try record.insert(db) }
    }

    static func vacer(_ mobile: String, docId: String, name: String = "Asha Verma", doses: Int = 2) -> [String: Any] {
        ["mobile": mobile, "docType": "VACER", "docId": docId, "issuedOn": "2026-11-01",
         "claims": ["name": name, "dosesReceived": doses, "dosesRequired": 2, "vaccine": "COVISHIELD", "lastDoseOn": "2026-10-01"]]
    }

    /// A signed multipart push body.
    static func pushBody(_ issuer: TestIssuer, metadata: [String: Any], content: [UInt8], contentType: String = "application/pdf",
                         signWith: Curve25519.Signing.PrivateKey? = nil, signedContent: [UInt8]? = nil) throws -> (ByteBuffer, String) {
        let meta = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        let message = PushSignature.message(metadataSHA256: Array(SHA256.hash(data: meta)), contentSHA256: Array(SHA256.hash(data: signedContent ?? content)))
        let signature = try (signWith ?? issuer.key).signature(for: message)
        return multipart([("metadata", "application/json", Array(meta)), ("content", contentType, content), ("signature", nil, Array(Base64URL.encode(signature).utf8))])
    }

    static func multipart(_ parts: [(String, String?, [UInt8])]) -> (ByteBuffer, String) {
        let boundary = "b-" + SecureRandom.identifier()
        var body = [UInt8]()
        for (name, type, bytes) in parts {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n".utf8)
            if let type { body += Array("Content-Type: \(type)\r\n".utf8) }
            body += Array("\r\n".utf8) + bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), "multipart/form-data; boundary=\(boundary)")
    }
}

extension TestClientProtocol {
    func push(_ issuer: TestIssuer, _ body: (ByteBuffer, String)) async throws -> TestResponse {
        try await execute(uri: "/v1/issuer/documents", method: .post,
                          headers: [.authorization: "Bearer \(issuer.apiKey)", .contentType: body.1], body: body.0)
    }

    func json(_ uri: String, _ object: Any, method: HTTPRequest.Method = .post, token: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object)))
    }

    func get(_ uri: String, token: String?) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:])
    }

    /// OTP sign-in through the API, reading the code from the recorded SMS.
    func signIn(_ mobile: String, harness: Harness) async throws -> String {
        let challenge = try await json("/v1/auth/otp", ["mobile": mobile])
        guard challenge.status == .accepted else { throw TestFailure("otp request: \(challenge.status)") }
        let id = try jsonObject(challenge)["challengeId"] as! String
        let otp = harness.sms.lastOTP(for: mobile)!
        let token = try await json("/v1/auth/token", ["challengeId": id, "otp": otp])
        guard token.status == .ok else { throw TestFailure("token: \(token.status)") }
        return try jsonObject(token)["token"] as! String
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func jsonObject(_ response: TestResponse) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] else { throw TestFailure("not a JSON object") }
    return object
}
