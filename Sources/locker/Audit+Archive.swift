import ArgumentParser
import Foundation
import LockerCore
import LockerStore

extension Audit {
    /// `locker audit archive --before DATE --to DIR`: keeps the live audit log bounded.
    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move audit entries made before a date into a sealed archive file; `audit verify` still walks them.",
            discussion: """
                The entries are checked, written to DIR/audit-FIRST-LAST.sealed (AES-256-GCM under a key \
                derived from the vault's keys; fsynced before anything is deleted), and only then removed \
                from the live log in one transaction, which also records the file's SHA-256 and appends an \
                admin.audit-archived entry. The newest entry always stays live. `locker audit verify` walks \
                the archive files (give --archives DIR if they move) and then the live log. Keep the files: \
                they are the only copy of those entries. Citizens' activity lists only live entries.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Archive entries made before this day (YYYY-MM-DD, UTC) or instant (ISO 8601).") var before: String
        @Option(name: .long, help: "Folder for the archive file (created if missing).") var to: String

        func run() throws {
            let cutoff: Date
            if Validate.date(before), let day = try? Date(before + "T00:00:00Z", strategy: .iso8601) {
                cutoff = day
            } else if let instant = try? Date(before, strategy: .iso8601) {
                cutoff = instant
            } else {
                throw CLIError("invalid --before \(before.debugDescription): use YYYY-MM-DD or an ISO 8601 instant like 2026-11-01T00:00:00Z")
            }
            guard cutoff <= Date() else { throw CLIError("--before is in the future; archive only what is past") }
            let record: AuditArchiveRecord?
            do {
                record = try Keys.vault(options).archiveAudit(before: cutoff, to: to)
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if options.json {
                struct Report: Encodable { var archived: Int; var firstSeq: Int64?; var lastSeq: Int64?; var file: String? }
                return try printJSON(Report(archived: record?.entries ?? 0, firstSeq: record?.firstSeq, lastSeq: record?.lastSeq, file: record?.path))
            }
            guard let record else { return print("nothing to archive before \(Timestamp.string(cutoff))") }
            print("archived \(Plural.count(record.entries, "audit entry", "audit entries")) (\(record.firstSeq)-\(record.lastSeq)) into \(record.path)")
        }
    }
}
