import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker audit …`: the append-only, hash-chained audit log.
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the audit log.", subcommands: [Verify.self, Checkpoint.self, Archive.self])

    /// `locker audit verify`: walks the chain; names the first entry that was edited, removed or
    /// reordered. Exit status 0 when intact, 1 when broken.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and name the first broken entry.",
            discussion: "The chain shows an edited, removed or reordered entry, but not entries cut off its end. With --checkpoint FILE (saved earlier by `locker audit checkpoint --to FILE`) it also proves that the chain still reaches the signed entry with the signed hash; exit status 1 if entries were cut or changed.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "A checkpoint saved by `locker audit checkpoint --to FILE`.") var checkpoint: String?
        @Option(help: "Where the archive files of `locker audit archive` are now, if they moved from the folder they were written to.") var archives: String?

        func run() throws {
            if let checkpoint { return try verifyCheckpoint(path: checkpoint) }
            let layout = options.layout
            if try options.postgres() != nil {
                // Opening the vault checks the root key opens this deployment's key ring.
                let vault = try Keys.vault(options)
                let (count, broken) = try Self.walkChain(of: vault)
                return try report(count: count, broken: broken, archived: try vault.verifyAuditArchives(folder: archives))
            }
            guard FileManager.default.fileExists(atPath: layout.databasePath) else { throw CLIError("no database at \(layout.databasePath)") }
            try VaultIdentity.verifyReadOnly(layout: layout)
            let database = try LockerDatabase(path: layout.databasePath, readOnly: true)
            let store = SQLiteAdminStore(database: database)
            let (count, broken) = try store.checkAuditChain()
            // Archives are sealed with the vault's keys: open it only when there are some.
            let archived = try store.auditArchiveCount() > 0 ? try Keys.vault(options).verifyAuditArchives(folder: archives) : (0, [])
            try report(count: count, broken: broken, archived: archived)
        }

        /// The chain walked as usual, and the checkpoint checked against it.
        func verifyCheckpoint(path: String) throws {
            guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
                throw CLIError("cannot read checkpoint file \(path)")
            }
            let vault = try Keys.vault(options)
            let (count, broken) = try Self.walkChain(of: vault)
            // The live chain starts where the last archive ends: the archives must hold too.
            let archived = try vault.verifyAuditArchives(folder: archives)
            for problem in archived.problems where !options.json { print("audit archive BROKEN: \(problem)") }
            let (saved, finding): (AuditCheckpoint, AuditCheckpoint.Finding)
            do {
                (saved, finding) = try vault.checkAuditCheckpoint(text.trimmingCharacters(in: .whitespacesAndNewlines))
            } catch let error as StoreError {
                throw CLIError("checkpoint \(path): \(error.description)")
            }
            let verdict: String
            switch finding {
            case .present: verdict = finding.word
            case .missing(let last): verdict = "\(finding.word): the log ends at entry \(last), before the checkpoint's entry \(saved.seq); entries were cut off its end"
            case .differs: verdict = "\(finding.word): entry \(saved.seq) no longer has the hash the checkpoint signed"
            }
            let intact = broken == nil && finding == .present && archived.problems.isEmpty
            if options.json {
                struct Report: Encodable { var entries: Int; var intact: Bool; var firstBrokenEntry: Int64?; var checkpointEntry: Int64; var checkpointAt: Date; var checkpoint: String }
                try printJSON(Report(entries: count, intact: intact, firstBrokenEntry: broken, checkpointEntry: saved.seq, checkpointAt: saved.at,
                                     checkpoint: finding.word))
            } else {
                if let broken { print("audit log BROKEN at entry \(broken) (edited, removed or reordered); \(Plural.count(count, "entry", "entries"))") }
                print("checkpoint of entry \(saved.seq) signed \(Timestamp.string(saved.at)) by \(saved.kid): \(verdict)")
                if intact { print("audit log intact through the checkpoint: \(Plural.count(count, "entry", "entries"))") }
            }
            if !intact { throw ExitCode(1) }
        }

        /// The chain of an opened vault walked (entries, first broken one), on either backend.
        static func walkChain(of vault: Vault) throws -> (Int, Int64?) {
            if let pool = vault.postgresPool { return try PostgresAdminStore(pool: pool).checkAuditChain() }
            return try SQLiteAdminStore(database: vault.database).checkAuditChain()
        }

        /// `archived`: entries walked in archive files, and what is wrong with them.
        func report(count: Int, broken: Int64?, archived: (entries: Int, problems: [String]) = (0, [])) throws {
            let intact = broken == nil && archived.problems.isEmpty
            if options.json {
                struct Report: Encodable { var entries: Int; var archivedEntries: Int; var intact: Bool; var firstBrokenEntry: Int64?; var archiveProblems: [String] }
                try printJSON(Report(entries: count, archivedEntries: archived.entries, intact: intact, firstBrokenEntry: broken, archiveProblems: archived.problems))
            } else {
                for problem in archived.problems { print("audit archive BROKEN: \(problem)") }
                let archivedText = archived.entries > 0 ? " (and \(Plural.count(archived.entries, "archived entry", "archived entries")))" : ""
                if let broken {
                    print("audit log BROKEN at entry \(broken) (edited, removed or reordered); \(Plural.count(count, "entry", "entries"))")
                } else if intact {
                    print("audit log intact: \(Plural.count(count, "entry", "entries"))\(archivedText)")
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }

    /// `locker audit checkpoint`: signs the chain's last entry, to be kept outside the vault.
    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the audit chain's last entry (a checkpoint to keep outside the vault).",
            discussion: "Prints (or writes to --to FILE) a compact JWS signed with the vault's status-signing key, published in /.well-known/jwks.json. Later, `locker audit verify --checkpoint FILE` proves that nothing up to that entry was cut or changed.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Write the checkpoint to this file (refused if it exists).") var to: String?

        func run() throws {
            let vault = try Keys.vault(options)
            let checkpoint: AuditCheckpoint
            do {
                checkpoint = try vault.signAuditCheckpoint()
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if let to {
                guard !FileManager.default.fileExists(atPath: to) else { throw CLIError("\(to) exists; choose a new file for each checkpoint") }
                guard FileManager.default.createFile(atPath: to, contents: Data((checkpoint.jws + "\n").utf8)) else { throw CLIError("cannot write \(to)") }
            }
            if options.json {
                try printJSON(checkpoint)
            } else if to != nil {
                print("checkpoint of entry \(checkpoint.seq) (hash \(checkpoint.hash.prefix(16))…) written to \(to!)")
            } else {
                print(checkpoint.jws)
            }
        }
    }
}
