import Foundation

/// `manifest.json` of a backup folder: what the backup holds and each file's SHA-256, written
/// last, so a folder without it is an unfinished backup.
public struct BackupManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        /// Path inside the backup folder.
        public var path: String
        public var size: Int
        /// Lowercase hex SHA-256 of the file's bytes.
        public var sha256: String
    }

    public static let fileName = "manifest.json"
    public static let currentFormat = 1

    public var format: Int
    public var vaultID: String
    public var createdAt: Date
    /// The database snapshot (`locker.sqlite`), the key ring (`keyring.json`) and the blob
    /// folder's vault marker (`vault-id`).
    public var database: File
    public var keyring: File
    public var vaultMarker: File?
    /// Sealed document files (`blobs/XX/ID`); small documents live inside the database.
    public var blobs: [File]
    public var documents: Int
    public var auditEntries: Int
    /// The last audit entry at the snapshot, and its hash (hex).
    public var auditHeadSeq: Int64
    public var auditHeadHash: String

    public var files: [File] { [database, keyring] + (vaultMarker.map { [$0] } ?? []) + blobs }
}
