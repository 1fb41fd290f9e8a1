import Crypto
import Foundation
import LockerCore

/// Secrets of the pull-through path, sealed at rest: each pull issuer's shared API key (Locker
/// computes HMACs with it, so it cannot be a hash) and a pending request's search fields. The
/// key is derived from the vault's index key, which KEK rotation keeps, and each value is bound
/// to its field and owner.
extension Vault {
    var pullSealKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-pull-v1".utf8), outputByteCount: 32)
    }

    public func sealPullSecret(_ plaintext: [UInt8], field: String, ownerID: String) throws -> Data {
        Data(try FieldSeal.seal(plaintext, key: pullSealKey, field: field, ownerID: ownerID))
    }

    /// A pull issuer's shared API key, sealed for storage.
    public func sealPullKey(_ key: [UInt8], issuerID: String) throws -> Data {
        try sealPullSecret(key, field: "pull-key", ownerID: issuerID)
    }

    /// A pull issuer's shared API key, opened to compute HMACs.
    public func pullKey(of issuer: PullIssuerRecord) throws -> [UInt8] {
        try openPullSecret(issuer.keySealed, field: "pull-key", ownerID: issuer.id)
    }

    public func openPullSecret(_ sealed: Data, field: String, ownerID: String) throws -> [UInt8] {
        try FieldSeal.open([UInt8](sealed), key: pullSealKey, field: field, ownerID: ownerID)
    }
}
