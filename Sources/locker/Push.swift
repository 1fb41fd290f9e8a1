import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LockerCore
import Synchronization

/// `locker push`: what an issuer runs instead of writing a signer. Signs the metadata and
/// content with the issuer's Ed25519 key and sends them to a running `lockerd` as the
/// documented multipart push; prints the server's answer.
struct Push: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sign a certificate with the issuer's key and push it to a running lockerd.",
        discussion: """
            The metadata file is the JSON object of POST /v1/issuer/documents (mobile, docType, docId, issuedOn, \
            claims); it is sent byte for byte as read, and signed with the content as \
            "locker-push-v1" 0x00 SHA-256(metadata) SHA-256(content). The issuer's API key comes from \
            --api-key-file or LOCKER_ISSUER_API_KEY, never from the command line.
            """
    )

    @Option(help: "lockerd's base URL, e.g. http://127.0.0.1:8080.") var url: String
    @Option(name: .customLong("api-key-file"), help: "File holding the issuer API key (default: $LOCKER_ISSUER_API_KEY).") var apiKeyFile: String?
    @Option(help: "The issuer's Ed25519 private key: PEM PKCS#8, as `openssl genpkey -algorithm ed25519` writes it.") var key: String
    @Option(help: "The metadata JSON file.") var metadata: String
    @Option(help: "The certificate file.") var content: String
    @Option(name: .customLong("content-type"), help: "application/pdf or application/json (default: from the content file's extension).") var contentType: String?
    /// Shared with every command (`--json` prints the server's JSON answer). `--storage` is
    /// accepted, like everywhere, but unused: a push goes to lockerd over HTTP.
    @OptionGroup var options: GlobalOptions
    @Option(help: "Seconds to wait for the server.") var timeout: Double = 60

    func run() throws {
        let endpoint = try Self.endpoint(url)
        let apiKey = try readAPIKey()
        guard let keyText = try? String(contentsOfFile: key, encoding: .utf8) else { throw CLIError("cannot read private key file \(key)") }
        guard let seed = PushSignature.parsePrivateKey(keyText) else {
            throw CLIError("\(key) is not an unencrypted Ed25519 private key in PEM (make one with: openssl genpkey -algorithm ed25519 -out \(key))")
        }
        guard let metadataBytes = FileManager.default.contents(atPath: metadata).map(Array.init) else { throw CLIError("cannot read metadata file \(metadata)") }
        guard (try? JSONSerialization.jsonObject(with: Data(metadataBytes))) is [String: Any] else {
            throw CLIError("\(metadata) is not a JSON object (expected mobile, docType, docId, issuedOn and claims)")
        }
        guard let contentBytes = FileManager.default.contents(atPath: content).map(Array.init) else { throw CLIError("cannot read content file \(content)") }
        let type = try contentType ?? Self.contentType(forFile: content)
        guard ["application/pdf", "application/json"].contains(type) else { throw CLIError("--content-type must be application/pdf or application/json, not \(type)") }

        let signature = try PushSignature.sign(metadata: metadataBytes, content: contentBytes, privateKey: seed)
        let (body, boundary) = Self.multipart(metadata: metadataBytes, content: contentBytes, contentType: type, signature: signature)
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, application/problem+json", forHTTPHeaderField: "Accept")
        request.httpBody = Data(body)
        let answer = try HTTPExchange.send(request)
        try report(answer)
    }

    /// Prints a 2xx answer (or its JSON); anything else becomes one line naming the problem.
    func report(_ answer: HTTPExchange.Answer) throws {
        let object = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any]
        guard (200..<300).contains(answer.status) else {
            if let object, let title = object["title"] as? String {
                let detail = (object["detail"] as? String).map { ": \($0)" } ?? ""
                let type = (object["type"] as? String).map { " [\($0)]" } ?? ""
                throw CLIError("lockerd answered \(answer.status) \(title)\(detail)\(type)")
            }
            throw CLIError("lockerd answered \(answer.status) (\(answer.body.count) bytes, not a problem+json body)")
        }
        guard let object else { throw CLIError("lockerd answered \(answer.status) with a body that is not JSON") }
        if options.json {
            let pretty = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: pretty, as: UTF8.self))
            return
        }
        let result = object["result"] as? String ?? "pushed"
        let uri = object["uri"] as? String ?? "?"
        let version = object["version"] as? Int ?? 0
        let size = object["size"] as? Int ?? 0
        print("\(result): \(uri), version \(version), \(Plural.count(size, "byte")) (document id \(object["id"] as? String ?? "?"))")
    }

    func readAPIKey() throws -> String {
        let raw: String
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else { throw CLIError("cannot read API key file \(apiKeyFile)") }
            raw = text
        } else if let fromEnvironment = ProcessInfo.processInfo.environment["LOCKER_ISSUER_API_KEY"] {
            raw = fromEnvironment
        } else {
            throw CLIError("no issuer API key: give --api-key-file FILE or set LOCKER_ISSUER_API_KEY")
        }
        let apiKey = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard apiKey.hasPrefix("lk_iss_"), apiKey.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw CLIError("the issuer API key must start with lk_iss_ (as `locker issuers add` prints it)")
        }
        return apiKey
    }

    /// `BASE/v1/issuer/documents` for an http(s) base URL.
    static func endpoint(_ base: String) throws -> URL {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        guard let url = URL(string: trimmed + "/v1/issuer/documents"), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw CLIError("--url must be lockerd's http(s) base URL, such as http://127.0.0.1:8080, not \(base.debugDescription)")
        }
        return url
    }

    static func contentType(forFile path: String) throws -> String {
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "pdf": return "application/pdf"
        case "json": return "application/json"
        default: throw CLIError("cannot tell the content type of \(path) from its name; give --content-type application/pdf or application/json")
        }
    }

    /// The push body: metadata, content, signature, in the contract's order, with a boundary
    /// that occurs in neither file.
    static func multipart(metadata: [UInt8], content: [UInt8], contentType: String, signature: String) -> (body: [UInt8], boundary: String) {
        var boundary: String
        repeat {
            boundary = "locker-" + SecureRandom.identifier()
        } while contains(metadata, Array("--\(boundary)".utf8)) || contains(content, Array("--\(boundary)".utf8))
        var body = [UInt8]()
        body.reserveCapacity(metadata.count + content.count + 512)
        let parts: [(String, [UInt8])] = [
            ("Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n", metadata),
            ("Content-Disposition: form-data; name=\"content\"; filename=\"content\"\r\nContent-Type: \(contentType)\r\n", content),
            ("Content-Disposition: form-data; name=\"signature\"\r\n", Array(signature.utf8)),
        ]
        for (headers, payload) in parts {
            body += Array("--\(boundary)\r\n\(headers)\r\n".utf8) + payload + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (body, boundary)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        Data(haystack).range(of: Data(needle)) != nil
    }
}
