import Foundation

/// What seals the key ring a PostgreSQL deployment keeps in its database: the KEK versions and
/// the index key are wrapped under it and nowhere else. Two kinds: a 32-byte file read into
/// memory (`SoftwareRootKey`) or an AES-256 key that never leaves an HSM (`PKCS11RootKey`).
/// Both produce the same format: a 12-byte nonce, the AES-256-GCM ciphertext and its 16-byte tag.
public protocol RootKeyWrapper: Sendable {
    /// Names the key for messages and logs without anything secret: `file /path` or the
    /// `pkcs11:` URI (which never holds a PIN).
    var name: String { get }
    /// Seals `plaintext`, bound to `aad`: nonce || ciphertext || tag.
    func wrap(_ plaintext: [UInt8], authenticating aad: [UInt8]) throws -> Data
    /// Opens what `wrap` sealed with the same `aad`. Throws `RootKeyUnavailable` when the key
    /// store could not be asked (worth retrying later); any other error means the key or the
    /// associated data does not match, or the bytes were altered.
    func unwrap(_ sealed: Data, authenticating aad: [UInt8]) throws -> [UInt8]
}
