import ArgumentParser
import Foundation
import LockerCore
import LockerStore

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Storage folder (default: $LOCKER_STORAGE, else ./Storage).")
    var storage: String?

    @Option(name: .long, help: "A PostgreSQL deployment: postgres://USER[:PASSWORD]@HOST[:PORT]/DB (default: $LOCKER_DATABASE, else the embedded SQLite under --storage).")
    var database: String?

    @Option(name: .customLong("root-key-file"), help: "With --database: the deployment's 32-byte root key file (default: $LOCKER_ROOT_KEY_FILE).")
    var rootKeyFile: String?

    @Option(name: .customLong("blob-store"), help: "Sealed documents in an S3-compatible store: s3://BUCKET?endpoint=URL&region=R, as lockerd's --blob-store (default: $LOCKER_BLOB_STORE, else files under --storage).")
    var blobStore: String?

    @Option(name: .customLong("blob-credentials-file"), help: "The object store's access key file (default: $LOCKER_BLOB_CREDENTIALS_FILE, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).")
    var blobCredentialsFile: String?

    @Option(name: .customLong("root-key"), help: ArgumentHelp(
        "With --database, instead of --root-key-file: the root key in an HSM, pkcs11:token=T;object=K?module-path=/path/module.so&pin-source=file:/path (PIN from pin-source or $LOCKER_HSM_PIN), or a key file (default: $LOCKER_ROOT_KEY).",
        valueName: "pkcs11:…|file"))
    var rootKey: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    var layout: StorageLayout {
        StorageLayout(root: storage ?? ProcessInfo.processInfo.environment["LOCKER_STORAGE"] ?? "Storage")
    }

    /// The object store's blob files (`--blob-store` or `LOCKER_BLOB_STORE`), checked; nil for files under the storage folder.
    func blobFiles() throws -> S3BlobFiles? {
        let environment = ProcessInfo.processInfo.environment
        let credentials = blobCredentialsFile ?? environment["LOCKER_BLOB_CREDENTIALS_FILE"]
        guard let raw = blobStore ?? environment["LOCKER_BLOB_STORE"], !raw.isEmpty else {
            if credentials != nil { throw CLIError("--blob-credentials-file is only for an object store (--blob-store s3://…)") }
            return nil
        }
        do {
            return try BlobStoreConfig(raw, credentialsFile: credentials).connect(layout: layout)
        } catch let error as StoreError {
            throw CLIError(error.description)
        } catch let error as S3Unavailable {
            throw CLIError(error.description)
        }
    }

    /// The root key named by `--root-key-file` or `--root-key` (or their environment
    /// variables); nil if none; both at once is an error.
    func rootKeySource() throws -> RootKeySource? {
        let environment = ProcessInfo.processInfo.environment
        let file = rootKeyFile ?? (rootKey == nil ? environment["LOCKER_ROOT_KEY_FILE"] : nil)
        let uriOrFile = rootKey ?? (rootKeyFile == nil ? environment["LOCKER_ROOT_KEY"] : nil)
        switch (file, uriOrFile) {
        case (nil, nil): return nil
        case (_?, _?): throw CLIError("--root-key and --root-key-file are both given (or LOCKER_ROOT_KEY and LOCKER_ROOT_KEY_FILE); give one")
        case (let file?, nil): return try Self.source(file)
        case (nil, let text?): return try Self.source(text)
        }
    }

    private static func source(_ text: String) throws -> RootKeySource {
        do {
            return try RootKeySource(text)
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }

    /// Opens the root key (reads the file, or logs in to the HSM): one clear line on failure.
    static func open(_ source: RootKeySource) throws -> any RootKeyWrapper {
        do {
            return try source.open()
        } catch let error as StoreError {
            throw CLIError(error.description)
        }
    }

    /// The PostgreSQL deployment named by `--database` (or `LOCKER_DATABASE`), if any, with its root key.
    func postgres() throws -> (pool: PostgresPool, rootKey: RootKeySource)? {
        let environment = ProcessInfo.processInfo.environment
        guard let raw = database ?? environment["LOCKER_DATABASE"], !raw.isEmpty else {
            if rootKeyFile != nil || rootKey != nil { throw CLIError("--root-key and --root-key-file are only for a PostgreSQL deployment (--database postgres://…)") }
            return nil
        }
        guard let url = PostgresURL(raw) else { throw CLIError("invalid --database: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE") }
        guard let source = try rootKeySource() else {
            throw CLIError("--database needs --root-key-file (the same 32-byte file the lockerd nodes use) or --root-key 'pkcs11:…'")
        }
        return (PostgresPool(url: url, maxIdle: 4), source)
    }
}
