import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker citizens …`: per-citizen key work.
struct Citizens: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Per-citizen key operations.", subcommands: [Rekey.self])

    /// `locker citizens rekey`: a new data key for one citizen (suspected compromise).
    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give one citizen a new data key and rewrap their content keys; ends their sessions.",
            discussion: "Blobs are not rewritten: each document's content key, sealed metadata and the sealed mobile number move to the new data key in one transaction. A running lockerd may trust a cached session for up to 5 seconds more.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "The citizen's id.") var id: String?
        @Option(help: "The citizen's mobile number (E.164, e.g. +919876543210).") var mobile: String?
        @Flag(name: .customLong("revoke-shares"), help: "Also revoke every share grant the citizen made.") var revokeShares = false

        func run() throws {
            guard (id == nil) != (mobile == nil) else { throw CLIError("give exactly one of --id or --mobile") }
            let vault = try Keys.vault(options)
            var citizenID = id ?? ""
            if let mobile {
                guard Validate.mobile(mobile) else { throw CLIError("--mobile must be E.164, e.g. +919876543210") }
                guard let found = try vault.citizens.find(mobileHash: vault.mobileHash(mobile)) else { throw CLIError("no citizen with that mobile number") }
                citizenID = found.id
            }
            let report: RekeyReport
            do {
                report = try vault.rekeyCitizen(id: citizenID, revokeShares: revokeShares, actor: "admin")
            } catch let refusal as KeyAdminRefusal {
                throw CLIError(refusal.description)
            }
            if options.json { return try printJSON(report) }
            print("citizen \(report.citizenID): new data key (version \(report.dekVersion)); \(Plural.count(report.documents, "document")) rewrapped; \(Plural.count(report.sessionsEnded, "session")) ended; \(Plural.count(report.sharesRevoked, "share")) revoked; \(Plural.count(report.partnerConnectionsEnded, "partner connection")) ended")
        }
    }
}
