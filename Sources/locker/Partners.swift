import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker partners …`: partner apps (OAuth 2.0 clients, DigiLocker's "Authorized Partners")
/// that may, with a citizen's consent, list and download that citizen's certificates.
struct Partners: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register, list and disable partner apps (OAuth 2.0 clients).",
        subcommands: [Add.self, List.self, Disable.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a partner app; a confidential one gets its client secret, shown once.",
            discussion: "Redirect URIs must be absolute, without a fragment: https to any host, http only to 127.0.0.1 or localhost, or a native app's reverse-domain scheme (in.cowin.app:/callback). An authorization request must name one of them exactly.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Client id: 3-64 of a-z 0-9 and dots, e.g. in.cowin.health.") var id: String
        @Option(help: "Name shown to citizens on the consent page, e.g. \"CoWIN Health\".") var name: String
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI, matched exactly (repeatable; at least one).") var redirectURI: [String] = []
        @Flag(help: "A server-side app that keeps a client secret (default: a public app that uses PKCE alone).") var confidential = false

        func run() throws {
            guard Validate.issuerID(id) else { throw CLIError("invalid --id \(id.debugDescription): use 3-64 of a-z 0-9 and dots") }
            let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard Validate.displayText(trimmedName, max: 100) else { throw CLIError("--name must be 1-100 characters, without control, format (bidi) or line-separator characters") }
            guard !redirectURI.isEmpty else { throw CLIError("give at least one --redirect-uri") }
            guard redirectURI.count <= 10 else { throw CLIError("at most 10 --redirect-uri") }
            for uri in redirectURI where !Validate.redirectURI(uri) {
                throw CLIError("invalid --redirect-uri \(uri.debugDescription): use https://…, http://127.0.0.1…, or a reverse-domain app scheme; no fragment")
            }
            let secret = confidential ? Credential.make(prefix: "pcs") : nil
            var unique: [String] = []
            for uri in redirectURI where !unique.contains(uri) { unique.append(uri) }
            let record = PartnerRecord(id: id, name: trimmedName, redirectURIs: unique,
                                       secretHash: secret.map { Data(Credential.hash($0)) }, createdAt: Date())
            let audit = AuditEntry(at: Date(), action: "admin.partner-added", actor: "admin",
                                   detail: ["partner": record.id, "confidential": String(confidential)])
            guard try Issuers.store(options).addPartner(record, audit: audit) else { throw CLIError("partner \(record.id) already exists") }
            if options.json {
                struct Added: Encodable {
                    var clientId: String; var name: String; var redirectURIs: [String]; var clientSecret: String?
                    enum CodingKeys: CodingKey { case clientId, name, redirectURIs, clientSecret }
                    func encode(to encoder: any Encoder) throws {  // clientSecret is null for a public app, never missing
                        var c = encoder.container(keyedBy: CodingKeys.self)
                        try c.encode(clientId, forKey: .clientId)
                        try c.encode(name, forKey: .name)
                        try c.encode(redirectURIs, forKey: .redirectURIs)
                        try c.encode(clientSecret, forKey: .clientSecret)
                    }
                }
                try printJSON(Added(clientId: record.id, name: record.name, redirectURIs: record.redirectURIList, clientSecret: secret))
            } else {
                print("partner \(record.id) (\(record.name)) registered, \(confidential ? "confidential" : "public (PKCE only)"); redirect URIs: \(record.redirectURIList.joined(separator: " "))")
                if let secret { print("client secret (shown once, store it now): \(secret)") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List partner apps (never their secrets).")
        @OptionGroup var options: GlobalOptions

        struct Row: Encodable { var id: String; var name: String; var redirectURIs: [String]; var confidential: Bool; var disabled: Bool; var createdAt: Date }

        func run() throws {
            let rows = try Issuers.store(options).partners().map {
                Row(id: $0.id, name: $0.name, redirectURIs: $0.redirectURIList, confidential: $0.confidential, disabled: $0.disabled, createdAt: $0.createdAt)
            }
            if options.json { return try printJSON(rows) }
            if rows.isEmpty { print("no partners"); return }
            for r in rows {
                print("\(r.id)\t\(r.name)\t\(r.confidential ? "confidential" : "public")\t\(r.disabled ? "disabled" : "active")\t\(r.redirectURIs.joined(separator: " "))")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a partner app (audited).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Client id.") var id: String

        func run() throws {
            try disableParty(.partner, id: id, options: options)
        }
    }
}
