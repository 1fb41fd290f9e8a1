import Foundation

/// Where a PostgreSQL deployment's root key is: a 32-byte file (`--root-key-file FILE`, or
/// `--root-key FILE`) or an AES-256 key in an HSM (`--root-key 'pkcs11:…'`, see `PKCS11URI`).
public enum RootKeySource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case pkcs11(PKCS11URI)

    /// A `pkcs11:` URI, or else a file path (made absolute against `base` if relative).
    public init(_ text: String, base: String = FileManager.default.currentDirectoryPath) throws {
        if text.lowercased().hasPrefix("pkcs11:") {
            self = .pkcs11(try PKCS11URI(text))
        } else {
            guard !text.isEmpty else { throw StoreError("the root key is empty: give a file path or a pkcs11: URI") }
            let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : URL(fileURLWithPath: base).appendingPathComponent(text)
            self = .file(url.standardizedFileURL.path)
        }
    }

    /// Reads the file, or loads the PKCS#11 module, logs in to the token and finds the key.
    /// Every failure is one line naming the file, module, token, PIN or key label.
    public func open(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any RootKeyWrapper {
        do {
            switch self {
            case .file(let path): return try SoftwareRootKey(path: path)
            case .pkcs11(let uri): return try PKCS11RootKey(uri: uri, environment: environment)
            }
        } catch let error as PKCS11Error {
            throw StoreError(error.description)
        } catch let error as RootKeyUnavailable {
            throw StoreError(error.description)
        }
    }

    /// The file path or the URI (never a PIN): safe to log and to print.
    public var description: String {
        switch self {
        case .file(let path): path
        case .pkcs11(let uri): uri.description
        }
    }

    /// The option to give a node to use this root key, for messages.
    public var option: String {
        switch self {
        case .file(let path): "--root-key-file \(path)"
        case .pkcs11(let uri): "--root-key '\(uri.description)'"
        }
    }
}
