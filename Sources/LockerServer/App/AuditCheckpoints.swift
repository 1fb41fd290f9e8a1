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

    /// Signs only if the chain has an entry after `seq` (or there is no checkpoint yet).
    func signIfGrown(since seq: Int64?, vault: Vault) throws -> AuditCheckpoint? {
        guard let last = try vault.records.lastAuditEntry() else { return nil }
        if let seq, last.seq == seq, let current { return current }
        return try signNow(vault: vault)
    }
}
