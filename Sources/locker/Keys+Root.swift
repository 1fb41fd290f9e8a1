import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// `locker keys init-root`, `root-info` and `rotate-root`: the root key of a PostgreSQL
/// deployment, a 32-byte file or an AES-256 key in an HSM (`--root-key 'pkcs11:…'`).
extension Keys {
    /// The `pkcs11:` URI given with `--root-key` (or `LOCKER_ROOT_KEY`); one line otherwise.
    static func hsmURI(_ options: GlobalOptions, command: String) throws -> PKCS11URI {
        guard case .pkcs11(let uri)? = try options.rootKeySource() else {
            throw CLIError("\(command) needs --root-key 'pkcs11:token=T;object=K?module-path=/path/module.so&pin-source=file:/path' (a key in an HSM)")
        }
        return uri
    }

    /// `locker keys init-root`: creates the root key in the HSM.
    struct InitRoot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init-root",
            abstract: "Create the root key in an HSM: AES-256, stored on the token, sensitive, never extractable.",
            discussion: """
                Give the key's place with --root-key 'pkcs11:token=LABEL;object=KEYLABEL?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/locker/hsm.pin' \
                (or the PIN in LOCKER_HSM_PIN). Refused if the token already holds a secret key with that label. \
                Then start lockerd with the same --root-key on a new database, or move an existing one to it with `locker keys rotate-root`.
                """)
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let uri = try Keys.hsmURI(options, command: "init-root")
            do {
                try PKCS11RootKey.create(uri: uri)
            } catch let error as PKCS11Error {
                throw CLIError(error.description)
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            if options.json { return try printJSON(["created": uri.description]) }
            print("created AES-256 key \(uri.object.debugDescription) in token \(uri.token.debugDescription) (sensitive, not extractable)")
            print("use it with: --root-key '\(uri.description)'")
        }
    }

    /// `locker keys root-info`: what the HSM says about the root key.
    struct RootInfo: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "root-info",
            abstract: "Show the HSM root key's attributes, check that the token refuses to give out its value, and seal and open a test value through it.",
            discussion: "Exit status 1 if the token gives out the key's value, the key is extractable, or the test value does not come back.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let uri = try Keys.hsmURI(options, command: "root-info")
            let info: PKCS11KeyInfo
            do {
                guard let key = try GlobalOptions.open(.pkcs11(uri)) as? PKCS11RootKey else { throw CLIError("not an HSM key") }
                info = try key.info()
            } catch let error as RootKeyUnavailable {
                throw CLIError(error.description)
            }
            let sound = !info.valueReadable && info.extractable == false && info.sealOpenRoundTrip
            if options.json {
                try printJSON(info)
            } else {
                func show(_ value: Bool?) -> String { value.map { $0 ? "yes" : "no" } ?? "not said" }
                print("root key \(info.label.debugDescription) in token \(info.token.debugDescription)")
                print("sensitive: \(show(info.sensitive))   extractable: \(show(info.extractable))   always sensitive: \(show(info.alwaysSensitive))   never extractable: \(show(info.neverExtractable))")
                print("reading its value (CKA_VALUE): \(info.valueReadable ? "GIVEN OUT" : "refused") (\(info.valueAnswer))")
                print("seal and open in the token: \(info.sealOpenRoundTrip ? "ok" : "FAILED")")
            }
            if !sound { throw ExitCode(1) }
        }
    }

    /// `locker keys rotate-root --to NEW`: the key ring's few rows move to another root key.
    struct RotateRoot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-root",
            abstract: "Rewrap a PostgreSQL deployment's key ring (KEK versions and index key) from the current root key to another.",
            discussion: """
                The current root key is --root-key-file or --root-key; the new one is --to, a key file or a pkcs11: URI \
                (create an HSM key first with `locker keys init-root`). Only the key ring's rows are rewrapped, in one \
                transaction; no citizen's key is touched. Every lockerd node must then be restarted with the new root key: \
                a node still on the old one keeps serving with the key ring it loaded, but cannot load a changed one \
                (after a KEK rotation) and refuses to start.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp("The new root key: a 32-byte key file or a pkcs11: URI.", valueName: "file|pkcs11:…")) var to: String

        func run() throws {
            guard let (pool, current) = try options.postgres() else { throw CLIError("rotate-root is for a PostgreSQL deployment: give --database postgres://…") }
            let target: RootKeySource
            do {
                target = try RootKeySource(to)
            } catch let error as StoreError {
                throw CLIError(error.description)
            }
            guard target != current else { throw CLIError("--to names the root key in use; give another") }
            let newRoot = try GlobalOptions.open(target)
            let vault = try Keys.vault(options)
            let oldRoot = try GlobalOptions.open(current)
            let versions: Int
            do {
                versions = try PostgresKeyProvider(pool: vault.postgresPool ?? pool, rootKey: oldRoot, notices: nil).rotateRoot(to: newRoot)
            } catch let error as StoreError {
                throw CLIError(error.description)
            } catch let error as RootKeyUnavailable {
                throw CLIError(error.description)
            }
            try vault.audit("admin.root-key-rotated", actor: "admin", detail: ["from": current.description, "to": target.description, "kekVersions": String(versions)])
            if options.json { return try printJSON(["kekVersions": versions]) }
            print("root key rotated: \(Plural.count(versions, "KEK version")) and the index key rewrapped under \(target); no citizen's key was touched")
            print("restart every lockerd node with \(target.option) (a node on the old root key cannot load a changed key ring and will not start)")
        }
    }
}
