import Foundation

/// An access key pair for the object store: from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
/// or from a file (`KEY=VALUE` lines, or the AWS shared-credentials format with a `[default]`
/// section). The secret is never printed: `description` shows the key id only.
public struct S3Credentials: Sendable, CustomStringConvertible {
    /// The access key id.
    public let accessKey: String
    /// The secret access key.
    let secretKey: String

    /// A key pair given directly (tests).
    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    /// From `file` when given, else from the environment; throws one line naming what is missing.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> S3Credentials {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw StoreError("cannot read blob credentials file \(file)")
            }
            return try parse(text, source: file)
        }
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw StoreError("the object store needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give --blob-credentials-file")
        }
        return S3Credentials(accessKey: key, secretKey: secret)
    }

    /// Reads `KEY=VALUE` lines or an AWS shared-credentials file (its `[default]` section, or the
    /// only one). Accepts `AWS_ACCESS_KEY_ID` / `aws_access_key_id` and the secret likewise.
    static func parse(_ text: String, source: String) throws -> S3Credentials {
        var section: String?
        var found = [String: [String: String]]()
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let name = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            found[section ?? "", default: [:]][name] = value
        }
        let chosen = found["default"] ?? found[""] ?? (found.count == 1 ? found.first?.value : nil) ?? [:]
        guard let key = chosen["aws_access_key_id"], !key.isEmpty, let secret = chosen["aws_secret_access_key"], !secret.isEmpty else {
            throw StoreError("blob credentials file \(source) has no aws_access_key_id and aws_secret_access_key (KEY=VALUE lines or a [default] section)")
        }
        return S3Credentials(accessKey: key, secretKey: secret)
    }

    public var description: String { "access key \(accessKey)" }
}
