import Crypto
import Foundation

/// A keyring that cannot be used as it stands.
public enum KeyringError: Error, Sendable, CustomStringConvertible, Equatable {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let why): why
        }
    }
}
