import Crypto
import Foundation
import GRDB
import LockerCore

/// The admin credential for `/v1/admin/…`: stored only as a SHA-256 hash, compared in constant
/// time. The first one is made at first start and handed to the admin through a 0600 file in
/// the keys folder (as the keyring is); `locker admin reset-credential` replaces it.
public enum AdminCredentials {
    /// Makes the first credential if none is live, writing it to `layout.initialAdminCredentialPath`.
    /// Returns whether it made one.
    @discardableResult
    public static func ensureInitial(vault: Vault, now: Date = Date()) throws -> Bool {
        let live = try vault.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM adminCredentials WHERE revokedAt IS NULL") ?? 0
        }
        guard live == 0 else { return false }
        let credential = Credential.make(prefix: "adm")
        try POSIXFile.writeAtomically(Array((credential + "\n").utf8), to: vault.layout.initialAdminCredentialPath, mode: 0o600)
        try store(credential, vault: vault, revokeOthers: false, actor: "lockerd", now: now)
        return true
    }

    /// Revokes every live credential and returns a new one (shown once, never stored in clear).
    public static func reset(vault: Vault, actor: String, now: Date = Date()) throws -> String {
        let credential = Credential.make(prefix: "adm")
        try store(credential, vault: vault, revokeOthers: true, actor: actor, now: now)
        try? FileManager.default.removeItem(atPath: vault.layout.initialAdminCredentialPath)
        return credential
    }

    /// Whether `presented` is a live admin credential.
    public static func check(_ presented: String, vault: Vault) throws -> Bool {
        let hash = Data(Credential.hash(presented))
        let stored = try vault.database.read { db in
            try Data.fetchAll(db, sql: "SELECT hash FROM adminCredentials WHERE revokedAt IS NULL")
        }
        // Every live credential is compared, each in constant time.
        return stored.reduce(false) { found, candidate in ConstantTime.equal([UInt8](candidate), [UInt8](hash)) || found }
    }

    private static func store(_ credential: String, vault: Vault, revokeOthers: Bool, actor: String, now: Date) throws {
        try vault.database.pool.write { db in
            if revokeOthers {
                try db.execute(sql: "UPDATE adminCredentials SET revokedAt = ? WHERE revokedAt IS NULL", arguments: [now])
            }
            let id = SecureRandom.identifier()
            try db.execute(sql: "INSERT INTO adminCredentials (id, hash, createdAt) VALUES (?, ?, ?)", arguments: [id, Data(Credential.hash(credential)), now])
            try AuditLog.append(db, at: now, action: "admin.credential-created", actor: actor, citizenID: nil, documentID: nil, detail: ["id": id])
        }
    }
}
