import Foundation

/// What `VaultBackup.restore` brought back, and the restored vault's own checks.
public struct RestoreReport: Sendable, Encodable {
    public var vaultID: String
    public var storage: String
    public var documents: Int
    public var blobs: Int
    public var keys: KeyVerification
    public var auditEntries: Int
    public var auditFirstBroken: Int64?
    public var intact: Bool { keys.failures.isEmpty && auditFirstBroken == nil }

    enum CodingKeys: CodingKey { case vaultID, storage, documents, blobs, keys, auditEntries, auditFirstBroken, intact }

    public func encode(to encoder: any Encoder) throws {  // auditFirstBroken is null when intact, never missing
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vaultID, forKey: .vaultID)
        try c.encode(storage, forKey: .storage)
        try c.encode(documents, forKey: .documents)
        try c.encode(blobs, forKey: .blobs)
        try c.encode(keys, forKey: .keys)
        try c.encode(auditEntries, forKey: .auditEntries)
        try c.encode(auditFirstBroken, forKey: .auditFirstBroken)
        try c.encode(intact, forKey: .intact)
    }
}
