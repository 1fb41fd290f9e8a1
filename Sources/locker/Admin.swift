import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker admin …`: the credential for lockerd's `/v1/admin` endpoints.
struct Admin: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage the admin credential.", subcommands: [ResetCredential.self])

    struct ResetCredential: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-credential", abstract: "Revoke every admin credential and print a new one (shown once).")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let credential = try AdminCredentials.reset(vault: try Keys.vault(options), actor: "admin")
            if options.json { return try printJSON(["credential": credential]) }
            print("admin credential (shown once, store it now): \(credential)")
        }
    }
}
