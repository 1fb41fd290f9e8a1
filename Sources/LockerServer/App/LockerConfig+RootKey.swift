import Configuration
import Foundation
import LockerStore

extension LockerConfig {
    /// Reads `--database` with its root key: `--root-key-file FILE` (`LOCKER_ROOT_KEY_FILE`,
    /// `rootKeyFile`) or `--root-key FILE|pkcs11:…` (`LOCKER_ROOT_KEY`, `rootKey`), exactly one
    /// of them. Relative file paths from a flag or the environment are taken from the working
    /// directory, those from the config file from its folder. Nothing is opened here.
    static func databaseAndRootKey(flagsAndEnv: ConfigReader, all: ConfigReader, cwd: String,
                                   configDirectory: String) throws -> (database: PostgresURL, rootKey: RootKeySource)? {
        func value(_ key: String) throws -> (text: String, base: String)? {
            if let fromFlagOrEnv = try read(flagsAndEnv, key, { $0.string(forKey: ConfigKey(key)) }) { return (fromFlagOrEnv, cwd) }
            return try read(all, key) { $0.string(forKey: ConfigKey(key)) }.map { ($0, configDirectory) }
        }
        let file = try value("rootKeyFile")
        let uriOrFile = try value("rootKey")
        if file != nil, uriOrFile != nil {
            throw LockerConfigError("--root-key and --root-key-file are both given (flags, LOCKER_ROOT_KEY/LOCKER_ROOT_KEY_FILE or the config file); give one")
        }
        guard let raw = try read(all, "database", { $0.string(forKey: "database") }) else {
            if file != nil || uriOrFile != nil {
                throw LockerConfigError("--root-key\(file != nil ? "-file" : "") is only for a PostgreSQL deployment (--database postgres://…)")
            }
            return nil
        }
        guard let url = PostgresURL(raw) else {
            throw LockerConfigError("invalid value for database: expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        if let file {
            return (url, .file(absolute(file.text, base: file.base)))
        }
        guard let uriOrFile else {
            throw LockerConfigError("--database needs --root-key-file (32 bytes, mode 0600, the same file on every node) or --root-key 'pkcs11:…' (a key in an HSM)")
        }
        do {
            return (url, try RootKeySource(uriOrFile.text, base: uriOrFile.base))
        } catch let error as StoreError {
            throw LockerConfigError("invalid value for rootKey: \(error.description)")
        }
    }
}
