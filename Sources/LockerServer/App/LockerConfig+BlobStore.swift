import Configuration
import Foundation
import LockerStore

extension LockerConfig {
    /// Reads `--blob-store` / `LOCKER_BLOB_STORE` / `blobStore` (`s3://BUCKET?endpoint=URL&region=R`)
    /// and `--blob-credentials-file` / `LOCKER_BLOB_CREDENTIALS_FILE` / `blobCredentialsFile`; the
    /// latter alone is refused. A relative path is taken as for `storage`.
    static func blobStore(flagsAndEnv: ConfigReader, all: ConfigReader, cwd: String, configDirectory: String) throws -> BlobStoreConfig? {
        var credentials: String?
        if let fromFlagOrEnv = try read(flagsAndEnv, "blobCredentialsFile", { $0.string(forKey: "blobCredentialsFile") }) {
            credentials = absolute(fromFlagOrEnv, base: cwd)
        } else if let fromFile = try read(all, "blobCredentialsFile", { $0.string(forKey: "blobCredentialsFile") }) {
            credentials = absolute(fromFile, base: configDirectory)
        }
        guard let raw = try read(all, "blobStore", { $0.string(forKey: "blobStore") }) else {
            if credentials != nil { throw LockerConfigError("--blob-credentials-file is only for an object store (--blob-store s3://…)") }
            return nil
        }
        do {
            return try BlobStoreConfig(raw, credentialsFile: credentials)
        } catch {
            throw LockerConfigError("invalid value for blobStore: \(error)")
        }
    }
}
