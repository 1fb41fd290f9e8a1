import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker verifiers …`: who may ask for a citizen's vaccination status (KYC-VS).
struct Verifiers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register, list and disable verifiers (KYC-VS).",
        subcommands: [Add.self, List.self, Disable.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a verifier and print its API key once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Verifier id: 3-64 of a-z 0-9 and dots, e.g. irctc.") var id: String
        @Option(help: "Display name shown to citizens, e.g. IRCTC.") var name: String
        @Option(help: "Origin allowed to embed the consent page, e.g. https://www.irctc.co.in (repeatable).") var origin: [String] = []

        func run() throws {
            guard Validate.issuerID(id) else { throw CLIError("invalid --id \(id.debugDescription): use 3-64 of a-z 0-9 and dots") }
            let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard Validate.displayText(trimmedName, max: 200) else { throw CLIError("--name must be 1-200 characters, without control, format (bidi) or line-separator characters") }
            for o in origin {
                guard let url = URL(string: o), let scheme = url.scheme, ["https", "http"].contains(scheme), url.host != nil,
                      url.path.isEmpty || url.path == "/", url.query == nil, !o.hasSuffix("/") else {
                    throw CLIError("invalid --origin \(o.debugDescription): use scheme://host[:port], e.g. https://www.irctc.co.in")
                }
            }
            let apiKey = Credential.make(prefix: "ver")
            let record = VerifierRecord(id: id, name: trimmedName, origins: origin, apiKeyHash: Data(Credential.hash(apiKey)), createdAt: Date())
            let audit = AuditEntry(at: Date(), action: "admin.verifier-added", actor: "admin", detail: ["verifier": record.id])
            guard try Issuers.store(options).addVerifier(record, audit: audit) else { throw CLIError("verifier \(record.id) already exists") }
            if options.json {
                try printJSON(["id": record.id, "name": record.name, "apiKey": apiKey])
            } else {
                print("verifier \(record.id) (\(record.name)) registered; may embed from: \(origin.isEmpty ? "nowhere" : origin.joined(separator: " "))")
                print("API key (shown once, store it now): \(apiKey)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List verifiers.")
        @OptionGroup var options: GlobalOptions

        struct Row: Encodable { var id: String; var name: String; var origins: [String]; var disabled: Bool; var createdAt: Date }

        func run() throws {
            let rows = try Issuers.store(options).verifiers()
                .map { Row(id: $0.id, name: $0.name, origins: $0.originList, disabled: $0.disabled, createdAt: $0.createdAt) }
            if options.json { return try printJSON(rows) }
            if rows.isEmpty { print("no verifiers"); return }
            for r in rows { print("\(r.id)\t\(r.name)\t\(r.disabled ? "disabled" : "active")\t\(r.origins.joined(separator: " "))") }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a verifier: its API key stops working at once.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Verifier id.") var id: String

        func run() throws {
            try disableParty(.verifier, id: id, options: options)
        }
    }
}
