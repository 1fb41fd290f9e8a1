import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker audit …`: the append-only, hash-chained audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the audit log.", subcommands: [Verify.self])

    /// `locker audit verify`: walks the chain; names the first entry that was edited, removed or
    /// reordered. Exit status 0 when intact, 1 when broken.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Walk the hash chain and name the first broken entry.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let layout = options.layout
            if try options.postgres() != nil {
                // Opening the vault checks the root key opens this deployment's key ring.
                let (count, broken) = try PostgresAdminStore(pool: try Keys.vault(options).postgresPool!).checkAuditChain()
                return try report(count: count, broken: broken)
            }
            guard FileManager.default.fileExists(atPath: layout.databasePath) else { throw CLIError("no database at \(layout.databasePath)") }
            try VaultIdentity.verifyReadOnly(layout: layout)
            let database = try LockerDatabase(path: layout.databasePath, readOnly: true)
            let (count, broken) = try SQLiteAdminStore(database: database).checkAuditChain()
            try report(count: count, broken: broken)
        }

        func report(count: Int, broken: Int64?) throws {
            if options.json {
                struct Report: Encodable { var entries: Int; var intact: Bool; var firstBrokenEntry: Int64? }
                try printJSON(Report(entries: count, intact: broken == nil, firstBrokenEntry: broken))
            } else if let broken {
                print("audit log BROKEN at entry \(broken) (edited, removed or reordered); \(Plural.count(count, "entry", "entries"))")
            } else {
                print("audit log intact: \(Plural.count(count, "entry", "entries"))")
            }
            if broken != nil { throw ExitCode(1) }
        }
    }
}
