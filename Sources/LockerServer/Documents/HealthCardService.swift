import Crypto
import Foundation
import LockerCore
import LockerStore

/// SMART Health Cards of a citizen's own vaccination certificates, and their revocation list.
/// The card holds only what the FHIR bundle needs (name, birth date if given, doses); the
/// mobile number and other claims stay in the vault.
struct HealthCardService: Sendable {
    let documents: DocumentService
    let store: any DocumentStore
    let vault: Vault
    /// The deployment's public URL, the cards' `iss` (verifiers fetch its
    /// `/.well-known/jwks.json`).
    let issuerURL: String

    /// The compact JWS of the owner's unrevoked `VACER` document: 404 for any other document
    /// (unknown, someone else's, another type, no signed claims), 410 once revoked.
    func card(id: String?, by citizen: CitizenRecord) throws -> String {
        let document = try documents.owned(id: id, by: citizen)
        guard document.docType == "VACER" else { throw Problem.notFound }
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked (by its issuer or an administrator).") }
        guard let metadata = try documents.signedMetadata(document, owner: citizen),
              let pushed = try? JSONDecoder().decode(PushMetadata.self, from: Data(metadata)) else { throw Problem.notFound }
        let payload = try HealthCardPayload.json(issuer: issuerURL, notBefore: document.createdAt,
                                                 revocationID: vault.healthCardRevocationID(documentID: document.id), claims: pushed.claims)
        return try HealthCardJWS.sign(payloadJSON: payload, key: vault.healthCardSigningKey())
    }

    /// The public JWK verifiers check cards with.
    func publicJWK() throws -> [String: String] {
        HealthCardJWS.jwk(try vault.healthCardSigningKey().publicKey)
    }

    /// The revocation list of key `kid`: the `rid` of every revoked vaccination certificate;
    /// nil for a key id that is not this deployment's.
    func revocationList(kid: String) throws -> HealthCardCRL? {
        let key = try vault.healthCardSigningKey().publicKey
        guard kid == HealthCardJWS.thumbprint(key) else { return nil }
        let rids = try store.revokedDocumentIDs(docType: "VACER").map { vault.healthCardRevocationID(documentID: $0) }
        return HealthCardCRL(kid: kid, method: "rid", ctr: rids.count, rids: rids)
    }
}
