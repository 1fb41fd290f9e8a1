import Crypto
import Foundation
import LockerCore

/// A signed statement of the audit chain's head: "entry `seq` of vault `vaultID` had hash
/// `hash` at `at`". The hash chain shows an edited or removed entry but not a cut at the end; a
/// checkpoint saved outside the vault does: `locker audit verify --checkpoint FILE` proves that
/// the chain still reaches that entry with that hash. A compact JWS (EdDSA) under the vault's
/// status-signing key, so anyone with the JWKS can check who signed it.
public struct AuditCheckpoint: Sendable, Encodable {
    public var vaultID: String
    public var seq: Int64
    public var hash: String
    public var at: Date
    public var kid: String
    public var jws: String

    /// What a saved checkpoint says about the chain as it is now.
    public enum Finding: Sendable, Equatable {
        /// The entry is there with the signed hash (the chain up to it is as signed).
        case present
        /// The chain ends before the checkpoint's entry: entries were cut off the end.
        case missing(lastEntry: Int64)
        /// The entry is there with another hash.
        case differs

        /// `present`, `missing` or `differs`, as `--json` reports it.
        public var word: String {
            switch self {
            case .present: "present"
            case .missing: "missing"
            case .differs: "differs"
            }
        }
    }

    static let type = "locker-audit-checkpoint+jws"
}

extension Vault {
    /// Signs the chain's current last entry with the active status-signing key.
    public func signAuditCheckpoint(now: Date = Date()) throws -> AuditCheckpoint {
        guard let vaultID else { throw StoreError("the vault has no id") }
        guard let last = try records.lastAuditEntry() else { throw StoreError("the audit log is empty; nothing to checkpoint") }
        let record = try activeSigningKey(now: now)
        let hash = Hex.encode([UInt8](last.hash))
        let payload = JSONText.object(["vault": vaultID, "seq": String(last.seq), "hash": hash, "at": Timestamp.string(now)])
        let jws = try CompactJWS.sign(encodedHeader: CompactJWS.encodedHeader(kid: record.kid, type: AuditCheckpoint.type),
                                      payloadJSON: Array(payload.utf8), key: privateKey(of: record))
        return AuditCheckpoint(vaultID: vaultID, seq: last.seq, hash: hash, at: now, kid: record.kid, jws: jws)
    }

    /// Checks a saved checkpoint: signed by one of this vault's own signing keys (its private
    /// half must open under the key ring, so a key planted in the database cannot sign one), for
    /// this vault; then whether the chain still holds its entry with its hash.
    public func checkAuditCheckpoint(_ jws: String) throws -> (AuditCheckpoint, AuditCheckpoint.Finding) {
        let parts = jws.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any],
              let kid = header["kid"] as? String, header["typ"] as? String == AuditCheckpoint.type else {
            throw StoreError("not an audit checkpoint (expected a compact JWS of type \(AuditCheckpoint.type))")
        }
        guard let record = try records.signingKeys().first(where: { $0.kid == kid && $0.alg == SigningKeyRecord.ed25519 }), let key = try? privateKey(of: record) else {
            throw StoreError("the checkpoint's key \(kid) is not one of this vault's signing keys")
        }
        guard let payload = CompactJWS.verify(jws, publicKey: key.publicKey) else { throw StoreError("the checkpoint's signature does not verify") }
        guard let vault = payload["vault"] as? String, let seqText = payload["seq"] as? String, let seq = Int64(seqText),
              let hash = payload["hash"] as? String, let atText = payload["at"] as? String, let at = try? Date(atText, strategy: .iso8601) else {
            throw StoreError("the checkpoint's payload is incomplete")
        }
        guard vault == vaultID else { throw StoreError("the checkpoint belongs to vault \(vault), not this one (\(vaultID ?? "?"))") }
        let checkpoint = AuditCheckpoint(vaultID: vault, seq: seq, hash: hash, at: at, kid: kid, jws: jws)
        guard let stored = try records.auditHash(seq: seq) ?? archivedAuditHash(seq: seq) else {
            return (checkpoint, .missing(lastEntry: try records.lastAuditEntry()?.seq ?? 0))
        }
        return (checkpoint, Hex.encode([UInt8](stored)) == hash ? .present : .differs)
    }
}
