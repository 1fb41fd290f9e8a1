import Configuration
import Foundation

extension LockerConfig {
    /// Reads `--tls-cert` / `LOCKER_TLS_CERT` / `tlsCert` and `--tls-key` / `LOCKER_TLS_KEY` /
    /// `tlsKey`: both or neither. A relative path from a flag or the environment is taken from the
    /// working directory, one from the config file from the file's folder (as `storage` is).
    static func tlsFiles(flagsAndEnv: ConfigReader, all: ConfigReader, cwd: String, configDirectory: String) throws -> TLSFiles? {
        func path(_ key: String) throws -> String? {
            if let fromFlagOrEnv = try read(flagsAndEnv, key, { $0.string(forKey: ConfigKey(key)) }) {
                return absolute(fromFlagOrEnv, base: cwd)
            }
            return try read(all, key) { $0.string(forKey: ConfigKey(key)) }.map { absolute($0, base: configDirectory) }
        }
        switch (try path("tlsCert"), try path("tlsKey")) {
        case (nil, nil):
            return nil
        case let (certificate?, key?):
            return TLSFiles(certificate: certificate, key: key)
        case (_?, nil):
            throw LockerConfigError("--tls-cert needs --tls-key (the certificate's private key, PEM)")
        case (nil, _?):
            throw LockerConfigError("--tls-key needs --tls-cert (the server's certificate chain, PEM)")
        }
    }
}
