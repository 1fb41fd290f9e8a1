import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker issuers …`: who may push documents.
struct Issuers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register, list and disable issuers.",
        subcommands: [Add.self, List.self, Disable.self]
    )

    /// The vault's admin store (opening, and on a first run creating, storage like lockerd).
    static func store(_ options: GlobalOptions) throws -> any AdminStore {
        if try options.postgres() != nil { return PostgresAdminStore(pool: try Keys.vault(options).postgresPool!) }
        return SQLiteAdminStore(database: try Vault.open(layout: options.layout).database)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an issuer: one that pushes (--public-key, its API key printed once), one Locker asks on demand (--pull-url), or both.",
            discussion: "A pull issuer speaks DigiLocker's Issuer API (Pull URI and Pull Doc requests, x-digilocker-hmac): Locker keeps only the URIs it answers with and fetches the document again on every download. --pull-key-file holds the shared API key; Locker stores it sealed.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Issuer id: 3-64 of a-z 0-9 and dots, e.g. in.gov.cowin.") var id: String
        @Option(help: "Display name, e.g. CoWIN.") var name: String
        @Option(name: .customLong("public-key"), help: "A pushing issuer's Ed25519 public key file: PEM (openssl pkey -pubout) or base64 of 32 raw bytes.") var publicKey: String?
        @Option(name: .customLong("doc-types"), help: "Document types it may push, comma-separated, e.g. VACER or MARKS,DGCER (five capital letters each).")
        var docTypes: String?
        @OptionGroup var pull: PullOptions

        func run() throws {
            guard Validate.issuerID(id) else { throw CLIError("invalid --id \(id.debugDescription): use 3-64 of a-z 0-9 and dots, starting and ending with a letter or digit") }
            let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard Validate.displayText(trimmedName, max: 200) else { throw CLIError("--name must be 1-200 characters, without control, format (bidi) or line-separator characters") }
            guard publicKey != nil || pull.pullURL != nil else { throw CLIError("give --public-key (an issuer that pushes), --pull-url (one Locker asks on demand), or both") }
            let pullRecord = try pull.record(id: id, name: trimmedName)
            guard let publicKey else {
                return try Issuers.registerPull(pullRecord!, options: options, pushed: nil)
            }
            guard let docTypes else { throw CLIError("an issuer that pushes needs --doc-types") }
            let types = try Issuers.parseDocTypes(docTypes)
            guard let text = try? String(contentsOfFile: publicKey, encoding: .utf8) else { throw CLIError("cannot read public key file \(publicKey)") }
            guard let key = PushSignature.parsePublicKey(text) else { throw CLIError("\(publicKey) is not an Ed25519 public key (PEM or base64 of 32 bytes)") }
            let apiKey = Credential.make(prefix: "iss")
            let record = IssuerRecord(id: id, name: trimmedName, publicKey: Data(key), apiKeyHash: Data(Credential.hash(apiKey)), createdAt: Date(), docTypes: types)
            let audit = AuditEntry(at: Date(), action: "admin.issuer-added", actor: "admin", detail: ["issuer": record.id, "docTypes": record.docTypes])
            guard try Issuers.store(options).addIssuer(record, audit: audit) else { throw CLIError("issuer \(record.id) already exists") }
            if let pullRecord { return try Issuers.registerPull(pullRecord, options: options, pushed: Added(id: record.id, name: record.name, docTypes: record.docTypeList, apiKey: apiKey)) }
            if options.json {
                try printJSON(Added(id: record.id, name: record.name, docTypes: record.docTypeList, apiKey: apiKey))
            } else {
                print("issuer \(record.id) (\(record.name)) registered; may issue: \(record.docTypeList.joined(separator: ", "))")
                print("API key (shown once, store it now): \(apiKey)")
            }
        }
    }

    /// What `add --json` prints.
    struct Added: Encodable { var id: String; var name: String; var docTypes: [String]; var apiKey: String }

    /// `--doc-types VACER,MARKS`: each five capital letters; at least one.
    static func parseDocTypes(_ text: String) throws -> [String] {
        let types = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !types.isEmpty, types.allSatisfy(Validate.docType) else {
            throw CLIError("invalid --doc-types \(text.debugDescription): give one or more codes of five capital letters, comma-separated, e.g. VACER,MARKS")
        }
        return Set(types).sorted()
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List issuers and the document types each may issue.")
        @OptionGroup var options: GlobalOptions

        struct Row: Encodable { var id: String; var name: String; var docTypes: [String]; var disabled: Bool; var createdAt: Date; var publicKey: String; var pull = false; var pullURL: String? }

        func run() throws {
            let store = try Issuers.store(options)
            let rows = try store.issuers()
                .map { Row(id: $0.id, name: $0.name, docTypes: $0.docTypeList, disabled: $0.disabled, createdAt: $0.createdAt,
                           publicKey: Data($0.publicKey).base64EncodedString()) }
                + store.pullIssuers().map { Row(id: $0.id, name: $0.name, docTypes: $0.docTypeList, disabled: $0.disabled, createdAt: $0.createdAt,
                                               publicKey: "", pull: true, pullURL: $0.url) }
            if options.json { return try printJSON(rows) }
            if rows.isEmpty { print("no issuers"); return }
            for r in rows { print("\(r.id)\t\(r.name)\t\(r.disabled ? "disabled" : "active")\t\(r.docTypes.isEmpty ? "-" : r.docTypes.joined(separator: ","))\(r.pullURL.map { "\tpull " + $0 } ?? "")") }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an issuer: its API key stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Issuer id.") var id: String

        func run() throws {
            try disableParty(.issuer, id: id, options: options)
        }
    }
}
