import Foundation
import LockerCore

/// The state of the keys, as `locker keys status` and `GET /v1/admin/keys` show it: each KEK
/// version, its state, and how many wrapped keys it still holds, so an admin can follow a
/// rotation and knows when retiring is safe.
public struct KeyStatus: Codable, Sendable {
    public struct Version: Codable, Sendable {
        public var version: Int
        /// primary, active (still decrypts) or retired.
        public var state: String
        public var primary: Bool
        public var retired: Bool
        public var createdAt: Date
        public var dataKeys: Int
        public var signingKeys: Int
    }

    public var primaryVersion: Int
    public var minDecryptionVersion: Int
    public var versions: [Version]
    /// Wrapped keys not yet under the primary (what a rewrap still has to do).
    public var pendingRewrap: Int
    /// Wrapped keys under versions the keyring no longer holds (should always be zero).
    public var orphaned: Int

    public init(keyring: Keyring, counts: WrapCounts) {
        primaryVersion = keyring.primaryVersion
        minDecryptionVersion = keyring.minDecryptionVersion
        versions = keyring.versions.map { v in
            Version(version: v,
                    state: v == keyring.primaryVersion ? "primary" : (v < keyring.minDecryptionVersion ? "retired" : "active"),
                    primary: v == keyring.primaryVersion, retired: v < keyring.minDecryptionVersion,
                    createdAt: keyring.entries[v]!.createdAt,
                    dataKeys: counts.dataKeys[v] ?? 0, signingKeys: counts.signingKeys[v] ?? 0)
        }
        pendingRewrap = counts.notUnder(keyring.primaryVersion)
        orphaned = counts.dataKeys.filter { keyring.entries[$0.key] == nil }.values.reduce(0, +)
            + counts.signingKeys.filter { keyring.entries[$0.key] == nil }.values.reduce(0, +)
    }
}
