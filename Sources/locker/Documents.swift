import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker documents …`: an admin's hand on a single document.
struct Documents: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Administer single documents.", subcommands: [Revoke.self])

    /// `locker documents revoke URI`: withdraws a document whatever issuer pushed it (a rogue or
    /// mistaken push). Like an issuer's revocation it stops downloads, shares and status answers
    /// at once; it is audited and shown in the owner's activity.
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a document by its URI (issuerId-DOCTYPE-docId); audited and shown to its owner.",
            discussion: "A revoked document can no longer be downloaded, shared or counted in a status answer, and its URI cannot be pushed again.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The document URI, e.g. in.gov.cowin-VACER-CWN-0001.") var uri: String
        @Option(help: "Why, in words the owner will read in their activity (at most 200 characters).") var reason: String?

        /// What `--json` prints.
        struct Report: Encodable { var uri: String; var revoked: Bool; var alreadyRevoked: Bool }

        func run() throws {
            guard let parsed = DocumentURI(uri) else { throw CLIError("invalid URI \(uri.debugDescription): use issuerId-DOCTYPE-docId") }
            let reasonText = reason?.trimmingCharacters(in: .whitespaces)
            if let reasonText, !Validate.displayText(reasonText, max: 200) {
                throw CLIError("--reason must be 1-200 characters, without control, format (bidi) or line-separator characters")
            }
            let now = Date()
            let outcome = try Issuers.store(options).revokeDocument(uri: parsed.description, at: now) { document in
                var detail = ["uri": document.uri]
                if let reasonText { detail["reason"] = reasonText }
                return AuditEntry(at: now, action: "admin.document-revoked", actor: "admin", citizenID: document.ownerID, documentID: document.id, detail: detail)
            }
            guard let alreadyRevoked = outcome else { throw CLIError("no document \(parsed.description)") }
            if options.json { return try printJSON(Report(uri: parsed.description, revoked: true, alreadyRevoked: alreadyRevoked)) }
            print(alreadyRevoked ? "document \(parsed.description) was already revoked" : "document \(parsed.description) revoked")
        }
    }
}
