import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker backup --to DIR` and `locker backup verify DIR`: online backups of the embedded vault.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Back up the embedded vault while lockerd serves, or check a backup.",
        subcommands: [Take.self, Verify.self],
        defaultSubcommand: Take.self
    )

    /// The PostgreSQL deployment is backed up with PostgreSQL's tools; say so in one line.
    static func refusePostgres(_ options: GlobalOptions) throws {
        if try options.postgres() != nil {
            throw CLIError("with PostgreSQL, back up the database with pg_basebackup or pg_dump and keep the root key file apart (README, \"Operating Locker\"); locker backup covers the embedded vault")
        }
    }

    struct Take: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "take",
            abstract: "Take a consistent snapshot of --storage into a new or empty folder (the default subcommand).",
            discussion: """
                The database is copied with SQLite's online backup API in one read transaction, so \
                lockerd keeps serving; then every sealed document file the snapshot references, the key \
                ring as the vault keeps it, and last manifest.json with every file's SHA-256. A folder \
                without manifest.json is an unfinished backup. The backup holds the key ring: keep it \
                as safe as the storage folder itself.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(name: .long, help: "The backup folder (must not exist or be empty).") var to: String

        func run() throws {
            try refusePostgres(options)
            let bar = ProgressBar("copying sealed documents", quiet: options.json)
            var last = (0, 0)
            let manifest: BackupManifest
            do {
                manifest = try VaultBackup.take(layout: options.layout, to: to) { done, total in
                    last = (done, total)
                    bar.update(done: done, total: total)
                }
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if last.1 > 0 { bar.finish(done: last.0, total: last.1) }
            if options.json { return try printJSON(manifest) }
            let bytes = manifest.files.reduce(0) { $0 + $1.size }
            print("backup of vault \(manifest.vaultID) in \(to): \(Plural.count(manifest.documents, "document")), \(Plural.count(manifest.blobs.count, "sealed file")), \(Plural.count(manifest.auditEntries, "audit entry", "audit entries")) (last \(manifest.auditHeadSeq)), \(ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file))")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a backup without restoring it; exit status 1 if anything is wrong.",
            discussion: "Checks every file against manifest.json (size and SHA-256), that the key ring and the database belong to the same vault, the snapshot's integrity, that every document's sealed file is there, and the audit chain.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The backup folder.") var folder: String

        func run() throws {
            let bar = ProgressBar("checking files", quiet: options.json)
            var last = (0, 0)
            let check: BackupCheck
            do {
                check = try VaultBackup.verify(folder) { done, total in
                    last = (done, total)
                    bar.update(done: done, total: total)
                }
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if last.1 > 0 { bar.finish(done: last.0, total: last.1) }
            if options.json {
                struct Report: Encodable { var vaultID: String; var intact: Bool; var files: Int; var bytes: Int; var documents: Int; var auditEntries: Int; var problems: [String] }
                try printJSON(Report(vaultID: check.manifest.vaultID, intact: check.intact, files: check.filesChecked, bytes: check.bytesChecked,
                                     documents: check.manifest.documents, auditEntries: check.auditEntries, problems: check.problems))
            } else if check.intact {
                print("backup intact: vault \(check.manifest.vaultID), \(Plural.count(check.filesChecked, "file")) checked, \(Plural.count(check.manifest.documents, "document")), audit log intact (\(Plural.count(check.auditEntries, "entry", "entries")))")
            } else {
                for problem in check.problems { print("backup BROKEN: \(problem)") }
            }
            if !check.intact { throw ExitCode(1) }
        }
    }
}
