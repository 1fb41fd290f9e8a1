import Foundation

/// What `VaultBackup.verify` found: empty `problems` means the backup is whole.
public struct BackupCheck: Sendable, Codable {
    public var manifest: BackupManifest
    public var filesChecked: Int
    public var bytesChecked: Int
    public var auditEntries: Int
    public var problems: [String]
    public var intact: Bool { problems.isEmpty }
}
