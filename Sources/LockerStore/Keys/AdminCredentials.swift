import Crypto
import Foundation
import LockerCore

/// The admin credential for `/v1/admin/…`: stored only as a SHA-256 hash, compared in constant
/// time. The first one is made at first start and handed to the admin through a 0600 file in
/// the keys folder (as the keyring is); `locker admin reset-credential` replaces it.
public enum AdminCredentials {
    /// Makes the first credential if none is live, writing it to `layout.initialAdminCredentialPath`.
    /// Returns whether it made one.
    @discardableResult
    public static func ensureInitial(vault: Vault, now: Date = Date()) throws -> Bool {
        guard try vault.records.liveAdminCredentialHashes().isEmpty else { return false }
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
        let stored = try vault.records.liveAdminCredentialHashes()
        // Every live credential is compared, each in constant time.
        return stored.reduce(false) { found, candidate in ConstantTime.equal([UInt8](candidate), [UInt8](hash)) || found }
    }

    private static func store(_ credential: String, vault: Vault, revokeOthers: Bool, actor: String, now: Date) throws {
        let id = SecureRandom.identifier()
        try vault.records.storeAdminCredential(id: id, hash: Data(Credential.hash(credential)), revokeOthers: revokeOthers, now: now,
                                               audit: AuditEntry(at: now, action: "admin.credential-created", actor: actor, detail: ["id": id]))
    }
}
