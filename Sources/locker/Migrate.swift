import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker migrate --to postgres://…`: moves an embedded vault up to PostgreSQL.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the embedded vault under --storage into PostgreSQL, then open every copied document there.",
        discussion: """
            The embedded vault (database, sealed blobs, key ring) is only read, never changed. Stop \
            lockerd on --storage first, and start no node on the database until the copy is complete. \
            The key ring is stored sealed under --root-key-file, the same 32-byte file every node is \
            given (or under --root-key 'pkcs11:…', a key in an HSM every node uses). Running the command again after an interruption finishes the copy; rows already \
            copied are skipped. Exit status 0 when every row is in PostgreSQL and every document opens.
            """)

    @Option(name: .long, help: "The PostgreSQL database to fill: postgres://USER[:PASSWORD]@HOST[:PORT]/DB (empty, or holding an interrupted copy of this vault).")
    var to: String

    @OptionGroup var options: GlobalOptions

    func run() throws {
        if options.database != nil { throw CLIError("migrate copies from the embedded vault under --storage into --to; leave out --database") }
        guard let url = PostgresURL(to) else { throw CLIError("invalid --to: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE") }
        guard let rootKeySource = try options.rootKeySource() else {
            throw CLIError("migrate needs --root-key-file: the 32-byte file that will seal the key ring in PostgreSQL (head -c 32 /dev/urandom > root.key; chmod 600 root.key), or --root-key 'pkcs11:…' (a key in an HSM)")
        }
        let layout = options.layout
        guard FileManager.default.fileExists(atPath: layout.databasePath) else { throw CLIError("no embedded vault at \(layout.root) (no \(layout.databasePath))") }
        let report: MigrationReport
        do {
            let rootKey = try rootKeySource.open()
            // No lockerd may accept pushes into the folder while it is copied.
            let lock = try StorageLock.acquire(layout)
            defer { withExtendedLifetime(lock) {} }
            // --blob-store names the deployment's object store: the embedded vault's blobs are files.
            let blobFiles = try options.blobFiles()
            let source = try Vault.open(layout: layout)
            // One bar per table, then one for the verification; each ends on its own last count.
            var bar: (phase: String, bar: ProgressBar, done: Int, total: Int)?
            report = try PostgresMigration(source: source, pool: PostgresPool(url: url, maxIdle: 2), rootKey: rootKey, blobFiles: blobFiles).run { phase, done, total in
                if bar?.phase != phase {
                    if let last = bar { last.bar.finish(done: last.done, total: last.total) }
                    bar = (phase, ProgressBar(phase == "verify" ? "verifying documents" : "copying \(phase)", quiet: options.json), done, total)
                }
                bar?.done = done
                bar?.total = total
                if done > 0 { bar?.bar.update(done: done, total: total) }
            }
            if let last = bar { last.bar.finish(done: last.done, total: last.total) }
        } catch let error as StoreError {
            throw CLIError(error.description)
        } catch let error as PostgresUnavailable {
            throw CLIError(error.description)
        } catch let error as S3Unavailable {
            throw CLIError(error.description)
        }
        if options.json {
            try printJSON(report)
        } else {
            print("vault \(report.vaultID) \(report.resumed ? "copy resumed" : "copied") into \(url)")
            for table in report.tables {
                print("  \(table.name): \(table.source) in the embedded vault, \(table.target) in PostgreSQL (\(table.copied) copied now)")
            }
            print("  sealed blob bytes copied now: \(report.blobBytes)")
            print("  documents opened in PostgreSQL: \(report.documentsVerified)")
            for failure in report.failures { print("  FAILED: \(failure)") }
            print(report.complete ? "complete: start the lockerd nodes with --database \(url) \(rootKeySource.option)" : "INCOMPLETE: see the failures above")
        }
        if !report.complete { throw ExitCode(1) }
    }
}
