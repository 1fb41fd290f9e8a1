import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker keys …`: the key-encryption keys (KEKs) and the status-signing keys, rotated online
/// as HashiCorp Vault's transit engine does: rotate → rewrap → retire → destroy.
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect, rotate, retire and destroy keys.",
        subcommands: [Status.self, Rotate.self, Rewrap.self, Retire.self, Destroy.self, RotateSigning.self, Verify.self,
                      InitRoot.self, RootInfo.self, RotateRoot.self]
    )

    /// Opens an existing vault (never creates keys: a missing keyring is an error here).
    static func vault(_ options: GlobalOptions) throws -> Vault {
        let layout = options.layout
        if let (pool, source) = try options.postgres() {
            let rootKey = try GlobalOptions.open(source)
            do {
                return try Vault.open(postgres: pool, rootKey: rootKey, layout: layout, blobFiles: try options.blobFiles())
            } catch let error as StoreError {
                throw CLIError(error.description)
            } catch let error as PostgresUnavailable {
                throw CLIError(error.description)
            }
        }
        guard FileKeyProvider(layout: layout).exists() else {
            throw CLIError("no keyring at \(layout.keyringPath) (has lockerd started with --storage \(layout.root)?)")
        }
        do {
            return try Vault.open(layout: layout, blobFiles: try options.blobFiles())
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }

    /// Runs a key change the vault may refuse; a refusal becomes one clear line and exit 1.
    static func change(_ options: GlobalOptions, _ work: (Vault) throws -> Void) throws {
        let vault = try Keys.vault(options)
        do {
            try work(vault)
        } catch let refusal as KeyAdminRefusal {
            throw CLIError("refused: \(refusal)")
        }
    }

    /// Rewraps everything not under the primary, with a progress bar; waits for the rewrap lock
    /// if `lockerd` is finishing a rewrap itself. Audited.
    static func rewrap(_ vault: Vault, options: GlobalOptions, batchSize: Int, threads: Int, maxRate: Int?) throws -> RewrapReport {
        var lock = try vault.records.rewrapLock(wait: false)
        if lock == nil {
            FileHandle.standardError.write(Data("waiting for the rewrap lock (lockerd or another locker is rewrapping)...\n".utf8))
            lock = try vault.records.rewrapLock(wait: true)
        }
        defer { withExtendedLifetime(lock) {} }
        let bar = ProgressBar("rewrap", quiet: options.json)
        var last = (0, 0)
        let report = try vault.rewrapAll(batchSize: batchSize, threads: threads, maxPerSecond: maxRate, progress: { done, total in
            last = (done, total)
            bar.update(done: done, total: total)
        })
        bar.finish(done: last.0, total: last.1)
        try vault.audit("admin.kek-rewrapped", actor: "admin", detail: [
            "version": String(report.targetVersion), "dataKeys": String(report.dataKeys), "signingKeys": String(report.signingKeys), "failed": String(report.failed),
        ])
        if !options.json {
            let seconds: Double = bar.elapsed
            let rate: Double = seconds > 0 ? Double(report.dataKeys) / seconds : 0
            var line = "rewrapped \(Plural.count(report.dataKeys, "data key")) and \(Plural.count(report.signingKeys, "signing key")) to v\(report.targetVersion)"
            line += String(format: " in %.2f s (%.0f/s)", seconds, rate)
            if report.failed > 0 { line += "; \(report.failed) would not open (see `locker keys verify`)" }
            print(line)
        }
        return report
    }

    /// `locker keys status`: versions, primary, and how many wrapped keys each version holds.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show KEK versions and how many data and signing keys each wraps.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let vault = try Keys.vault(options)
            let status = KeyStatus(keyring: vault.keyring, counts: try vault.wrapCounts())
            if options.json { return try printJSON(status) }
            print(try options.postgres().map { "database: \($0.pool.url)" } ?? "storage: \(vault.layout.root)")
            print("primary: v\(status.primaryVersion)   minimum decryption version: v\(status.minDecryptionVersion)")
            print("VERSION  STATE     CREATED                DATA KEYS  SIGNING KEYS")
            for v in status.versions {
                print("v\(v.version)".padding(toLength: 9, withPad: " ", startingAt: 0)
                    + v.state.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + Timestamp.string(v.createdAt).padding(toLength: 23, withPad: " ", startingAt: 0)
                    + "\(v.dataKeys)".padding(toLength: 11, withPad: " ", startingAt: 0) + "\(v.signingKeys)")
            }
            if status.pendingRewrap > 0 { print("\(Plural.count(status.pendingRewrap, "wrapped key")) \(status.pendingRewrap == 1 ? "is" : "are") not yet under the primary: `locker keys rewrap` (or a running lockerd) finishes that") }
            if status.orphaned > 0 { print("WARNING: \(Plural.count(status.orphaned, "wrapped key")) \(status.orphaned == 1 ? "is" : "are") under versions this keyring does not hold") }
        }
    }

    /// `locker keys rotate`: KEK v(n+1) becomes primary at once, then every data key is rewrapped.
    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new KEK version, make it primary, and rewrap every data key under it (online; resumable).",
            discussion: "The new keyring is written durably before any key is wrapped under it. A running lockerd picks it up within a second. If this command is interrupted, run `locker keys rewrap` (or let lockerd finish it): nothing is lost.")
        @OptionGroup var options: GlobalOptions
        @Flag(name: .customLong("no-rewrap"), help: "Only add the version; leave rewrapping to `locker keys rewrap` or lockerd.") var noRewrap = false
        @Option(name: .customLong("batch-size"), help: "Data keys per transaction.") var batchSize = 8192
        @Option(help: "Threads for the unwrap/wrap work.") var threads = 2
        @Option(name: .customLong("max-rate"), help: "At most this many data keys per second (default: as fast as the machine goes); pace a rotation on a busy server.") var maxRate: Int?

        func run() throws {
            guard (1...100_000).contains(batchSize), (1...64).contains(threads), (maxRate ?? 1) >= 1 else { throw CLIError("--batch-size must be 1-100000, --threads 1-64 and --max-rate at least 1") }
            let vault = try Keys.vault(options)
            let version = try vault.rotateKEK(actor: "admin")
            if !options.json { print("KEK v\(version) added and made primary; new data keys are wrapped under it") }
            var report: RewrapReport?
            if !noRewrap { report = try Keys.rewrap(vault, options: options, batchSize: batchSize, threads: threads, maxRate: maxRate) }
            if options.json {
                try printJSON(RotateResult(primaryVersion: version, rewrap: report))
            }
        }

        struct RotateResult: Encodable { var primaryVersion: Int; var rewrap: RewrapReport? }
    }

    /// `locker keys rewrap`: finishes (or redoes) moving every wrapped key under the primary.
    struct Rewrap: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rewrap every data and signing key not under the primary KEK (resumes an interrupted rotation).")
        @OptionGroup var options: GlobalOptions
        @Option(name: .customLong("batch-size"), help: "Data keys per transaction.") var batchSize = 8192
        @Option(help: "Threads for the unwrap/wrap work.") var threads = 2
        @Option(name: .customLong("max-rate"), help: "At most this many data keys per second (default: as fast as the machine goes); pace a rotation on a busy server.") var maxRate: Int?

        func run() throws {
            guard (1...100_000).contains(batchSize), (1...64).contains(threads), (maxRate ?? 1) >= 1 else { throw CLIError("--batch-size must be 1-100000, --threads 1-64 and --max-rate at least 1") }
            let report = try Keys.rewrap(try Keys.vault(options), options: options, batchSize: batchSize, threads: threads, maxRate: maxRate)
            if options.json { try printJSON(report) }
            if report.failed > 0 { throw ExitCode(1) }
        }
    }

    /// `locker keys retire --below N`: versions below N stop decrypting.
    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise the minimum decryption version; refused while any key is still wrapped under an older one.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "New minimum decryption version.") var below: Int

        func run() throws {
            try Keys.change(options) { try $0.retireKEKs(below: below, actor: "admin") }
            if options.json { return try printJSON(["minDecryptionVersion": below]) }
            print("versions below v\(below) retired; destroy them with `locker keys destroy N`")
        }
    }

    /// `locker keys destroy N`: removes a retired version's key material.
    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a retired KEK version's material for good (never the primary; never one still referenced).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "The version to destroy.") var version: Int

        func run() throws {
            try Keys.change(options) { try $0.destroyKEK(version: version, actor: "admin") }
            if options.json { return try printJSON(["destroyed": version]) }
            print("KEK v\(version) destroyed")
        }
    }

    /// `locker keys rotate-signing`: a new status-signing key; the old stays published until
    /// everything it signed has expired. With `--card`, the SMART Health Card key instead.
    struct RotateSigning: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll the status-signing key over; the old public key stays in the JWKS until its answers expire.",
            discussion: """
                With --card, roll the SMART Health Card key (ES256) over instead: new cards are signed by a new P-256 key, \
                and the old key stays in the JWKS, with its revocation list, for good (cards do not expire). Use it when \
                the card key may be exposed, or on a schedule; a running lockerd signs with the new key at once.
                """)
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Roll the SMART Health Card signing key (ES256) instead of the status key.") var card = false

        func run() throws {
            let vault = try Keys.vault(options)
            struct Rolled: Encodable { var kid: String; var retired: [String] }
            if card {
                let (fresh, retired) = try vault.rotateCardKey(actor: "admin")
                if options.json { return try printJSON(Rolled(kid: fresh.kid, retired: retired)) }
                print("new card key \(fresh.kid) signs SMART Health Cards from now on")
                if !retired.isEmpty { print("retired \(retired.joined(separator: ", ")); it stays in the JWKS, with its revocation list, so the cards it signed keep verifying") }
                return
            }
            let (fresh, retired) = try vault.rotateSigningKey(actor: "admin")
            let until = Date().addingTimeInterval(Vault.signedAnswerLifetime + Vault.publishMargin)
            if options.json { return try printJSON(Rolled(kid: fresh.kid, retired: retired)) }
            print("new signing key \(fresh.kid) signs from now on (a running lockerd switches within a second)")
            if !retired.isEmpty { print("retired \(retired.joined(separator: ", ")); published in the JWKS until \(Timestamp.string(until))") }
        }
    }

    /// `locker keys verify`: opens every wrapped key, and with `--deep` every document.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that every data key, signing key and content key opens (with --deep, every document decrypts).")
        @OptionGroup var options: GlobalOptions
        @Flag(help: "Also decrypt every document's content.") var deep = false

        func run() throws {
            let vault = try Keys.vault(options)
            let bar = ProgressBar("verify", quiet: options.json)
            let report = try vault.verifyKeys(deep: deep) { done, total in bar.update(done: done, total: total) }
            bar.finish(done: report.dataKeys, total: report.dataKeys)
            if options.json { try printJSON(report) } else {
                print("data keys: \(report.dataKeys), signing keys: \(report.signingKeys), documents: \(report.documents); failures: \(report.failures.count)")
                for failure in report.failures.prefix(20) { print("  \(failure)") }
            }
            if !report.failures.isEmpty { throw ExitCode(1) }
        }
    }
}
