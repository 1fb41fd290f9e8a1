import Foundation
import LockerCore

extension Vault {
    /// Adds KEK v(n+1) and makes it primary. The keyring is on disk before this returns, so no
    /// data key is ever wrapped under a version that a crash could lose. Data keys are rewrapped
    /// separately (`rewrapAll`).
    @discardableResult
    public func rotateKEK(actor: String, now: Date = Date()) throws -> Int {
        var added = 0
        try updateKeyring { ring in added = ring.rotate(now: now) }
        try audit("admin.kek-rotated", actor: actor, now: now, detail: ["version": String(added)])
        return added
    }

    /// Raises the minimum decryption version to `version`, refused (with the count) while any
    /// data key or signing key is still wrapped under an older version.
    public func retireKEKs(below version: Int, actor: String, now: Date = Date()) throws {
        try updateKeyring { ring in
            guard version <= ring.primaryVersion else {
                throw KeyAdminRefusal(description: "v\(version) is above the primary v\(ring.primaryVersion); the primary can never be retired")
            }
            guard version > ring.minDecryptionVersion else {
                throw KeyAdminRefusal(description: "versions below v\(ring.minDecryptionVersion) are already retired")
            }
            let counts = try wrapCounts()
            let remaining = counts.below(version)
            guard remaining == 0 else {
                throw KeyAdminRefusal(description: "\(Plural.count(remaining, "wrapped key")) \(remaining == 1 ? "is" : "are") still under versions below v\(version) (data keys: \(counts.dataKeys.filter { $0.key < version }.values.reduce(0, +)), signing keys: \(counts.signingKeys.filter { $0.key < version }.values.reduce(0, +))); run `locker keys rewrap` first")
            }
            try ring.retire(below: version)
        }
        try audit("admin.kek-retired", actor: actor, now: now, detail: ["below": String(version)])
    }

    /// Removes a retired version's key material for good.
    public func destroyKEK(version: Int, actor: String, now: Date = Date()) throws {
        try updateKeyring { ring in
            guard ring.entries[version] != nil else { throw KeyAdminRefusal(description: "the keyring holds no v\(version)") }
            guard version != ring.primaryVersion else { throw KeyAdminRefusal(description: "v\(version) is the primary and can never be destroyed") }
            guard version < ring.minDecryptionVersion else {
                throw KeyAdminRefusal(description: "v\(version) is not retired; run `locker keys retire --below \(version + 1)` first")
            }
            let counts = try wrapCounts()
            let referencing = (counts.dataKeys[version] ?? 0) + (counts.signingKeys[version] ?? 0)
            guard referencing == 0 else { throw KeyAdminRefusal(description: "\(Plural.count(referencing, "wrapped key")) still \(referencing == 1 ? "references" : "reference") v\(version)") }
            try ring.destroy(version: version)
        }
        try audit("admin.kek-destroyed", actor: actor, now: now, detail: ["version": String(version)])
    }

    /// Appends one audit entry in its own transaction.
    public func audit(_ action: String, actor: String, now: Date = Date(), citizenID: String? = nil, detail: [String: String]) throws {
        try records.appendAudit(AuditEntry(at: now, action: action, actor: actor, citizenID: citizenID, detail: detail))
    }
}
