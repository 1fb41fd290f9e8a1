import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker restore DIR --to STORAGE`: a backup brought back into an empty storage folder.
struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup (from `locker backup`) into a new or empty storage folder, then check the restored vault.",
        discussion: """
            The backup is verified first: a changed or missing file, or a key ring that does not belong \
            to the backup's database, refuses it with nothing written. After the files are in place the \
            restored vault is opened and checked like `locker keys verify --deep` and `locker audit \
            verify`; exit status 0 only if both pass. Then start lockerd with --storage STORAGE.
            """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The backup folder.") var folder: String
    @Option(name: .long, help: "The storage folder to restore into (must not exist or be empty).") var to: String

    func run() throws {
        let bar = ProgressBar("restoring sealed documents", quiet: options.json)
        var last = (0, 0)
        let report: RestoreReport
        do {
            report = try VaultBackup.restore(from: folder, to: to) { done, total in
                last = (done, total)
                bar.update(done: done, total: total)
            }
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
        if last.1 > 0 { bar.finish(done: last.0, total: last.1) }
        if options.json {
            try printJSON(report)
        } else {
            print("vault \(report.vaultID) restored into \(report.storage): \(Plural.count(report.documents, "document")), \(Plural.count(report.blobs, "sealed file"))")
            print(report.keys.failures.isEmpty ? "keys verify --deep: every key unwraps and all \(Plural.count(report.keys.documents, "document")) open" : "keys verify --deep FAILED: \(report.keys.failures.prefix(5).joined(separator: "; "))")
            print(report.auditFirstBroken.map { "audit log BROKEN at entry \($0)" } ?? "audit log intact: \(Plural.count(report.auditEntries, "entry", "entries"))")
        }
        if !report.intact { throw ExitCode(1) }
    }
}
