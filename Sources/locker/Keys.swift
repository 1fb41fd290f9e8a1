import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker keys …`: the key-encryption keys.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and manage key-encryption keys.",
        subcommands: [Status.self]
    )

    /// `locker keys status`: versions, primary, and how many data keys each version wraps.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show KEK versions and how many citizens' data keys each wraps.")

        @OptionGroup var options: GlobalOptions

        struct Report: Encodable {
            struct Version: Encodable {
                var version: Int
                var primary: Bool
                var retired: Bool
                var createdAt: Date
                var dataKeys: Int
            }
            var storage: String
            var primaryVersion: Int
            var minDecryptionVersion: Int
            var versions: [Version]
            /// Data keys wrapped under versions the keyring no longer holds (should be zero).
            var orphanedDataKeys: Int
        }

        func run() throws {
            let layout = options.layout
            let provider = FileKeyProvider(layout: layout)
            guard provider.exists() else { throw CLIError("no keyring at \(layout.keyringPath) (has lockerd started with --storage \(layout.root)?)") }
            let keyring = try provider.load(createIfMissing: false)
            var counts = [Int: Int]()
            if FileManager.default.fileExists(atPath: layout.databasePath) {
                let database = try LockerDatabase(path: layout.databasePath, readOnly: true)
                counts = try SQLiteCitizenRepository(database: database).countByKEKVersion()
            }
            let versions = keyring.versions.map { v in
                Report.Version(
                    version: v, primary: v == keyring.primaryVersion, retired: v < keyring.minDecryptionVersion,
                    createdAt: keyring.entries[v]!.createdAt, dataKeys: counts[v] ?? 0)
            }
            let orphaned = counts.filter { keyring.entries[$0.key] == nil }.values.reduce(0, +)
            let report = Report(storage: layout.root, primaryVersion: keyring.primaryVersion, minDecryptionVersion: keyring.minDecryptionVersion, versions: versions, orphanedDataKeys: orphaned)
            if options.json {
                try printJSON(report)
                return
            }
            print("storage: \(report.storage)")
            print("primary: v\(report.primaryVersion)   minimum decryption version: v\(report.minDecryptionVersion)")
            print("VERSION  STATE     CREATED                DATA KEYS")
            let formatter = ISO8601DateFormatter()
            for v in versions {
                let state = v.primary ? "primary" : (v.retired ? "retired" : "active")
                print("v\(v.version)".padding(toLength: 9, withPad: " ", startingAt: 0)
                    + state.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + formatter.string(from: v.createdAt).padding(toLength: 23, withPad: " ", startingAt: 0)
                    + "\(v.dataKeys)")
            }
            if orphaned > 0 { print("WARNING: \(orphaned) data keys are wrapped under versions this keyring does not hold") }
        }
    }
}
