import Foundation
import LockerStore
import Synchronization

/// The latest audit checkpoint this node signed.
final class AuditCheckpoints: Sendable {
    private let latest = Mutex<AuditCheckpoint?>(nil)

    var current: AuditCheckpoint? { latest.withLock { $0 } }

    /// Signs the chain's last entry now and keeps it as the latest.
    func signNow(vault: Vault) throws -> AuditCheckpoint {
        let checkpoint = try vault.signAuditCheckpoint()
        latest.withLock { $0 = checkpoint }
        return checkpoint
    }

    /// Signs a new checkpoint only if the chain has grown past the latest one (or there is none
    /// yet); returns it, or nil when nothing was signed.
    func signIfGrown(vault: Vault) throws -> AuditCheckpoint? {
        guard let last = try vault.records.lastAuditEntry(), last.seq != current?.seq else { return nil }
        return try signNow(vault: vault)
    }
}
