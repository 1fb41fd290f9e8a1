import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker issuers add`'s options for an issuer Locker asks on demand (DigiLocker's Issuer API).
struct PullOptions: ParsableArguments {
    @Option(name: .customLong("pull-url"), help: "Where Locker posts Pull URI and Pull Doc requests (https, or http to 127.0.0.1/localhost).") var pullURL: String?
    @Option(name: .customLong("pull-doc-types"), help: "Document types Locker may ask it for, comma-separated, e.g. VACER.") var pullDocTypes: String?
    @Option(name: .customLong("pull-key-file"), help: "File holding the API key shared with the issuer (HMAC of every request).") var pullKeyFile: String?
    @Option(name: .customLong("pull-field"), help: "A search field the citizen fills, NAME=LABEL (NAME one of UDF1-UDF5, FullName, DOB; repeatable).") var pullField: [String] = []

    /// The pull issuer these options describe, its key still in plaintext (sealed by `Issuers.registerPull`); nil without --pull-url.
    func record(id: String, name: String) throws -> (PullIssuerRecord, [UInt8])? {
        guard let pullURL else {
            guard pullDocTypes == nil, pullKeyFile == nil, pullField.isEmpty else { throw CLIError("--pull-doc-types, --pull-key-file and --pull-field need --pull-url") }
            return nil
        }
        guard let url = URL(string: pullURL), let scheme = url.scheme?.lowercased(), url.user == nil, let host = url.host, !host.isEmpty,
              scheme == "https" || (scheme == "http" && ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)), pullURL.utf8.count <= 2000 else {
            throw CLIError("invalid --pull-url \(pullURL.debugDescription): use https://…, or http:// only to 127.0.0.1 or localhost")
        }
        guard let pullDocTypes else { throw CLIError("a pull issuer needs --pull-doc-types") }
        let types = try Issuers.parseDocTypes(pullDocTypes)
        guard let pullKeyFile else { throw CLIError("a pull issuer needs --pull-key-file") }
        guard let text = try? String(contentsOfFile: pullKeyFile, encoding: .utf8) else { throw CLIError("cannot read --pull-key-file \(pullKeyFile)") }
        let key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (8...512).contains(key.utf8.count) else { throw CLIError("--pull-key-file must hold an API key of 8-512 characters") }
        var fields = [PullIssuerRecord.Field]()
        for spec in pullField {
            let parts = spec.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, ["UDF1", "UDF2", "UDF3", "UDF4", "UDF5", "FullName", "DOB"].contains(parts[0]), Validate.displayText(parts[1], max: 100),
                  !fields.contains(where: { $0.name == parts[0] }) else {
                throw CLIError("invalid --pull-field \(spec.debugDescription): use NAME=LABEL with NAME one of UDF1-UDF5, FullName, DOB (each once)")
            }
            fields.append(.init(name: parts[0], label: parts[1]))
        }
        guard !fields.isEmpty else { throw CLIError("give at least one --pull-field: what the citizen fills for the issuer to find the document") }
        return (PullIssuerRecord(id: id, name: name, url: pullURL, docTypes: types, fields: fields, keySealed: Data(), createdAt: Date()), Array(key.utf8))
    }
}
