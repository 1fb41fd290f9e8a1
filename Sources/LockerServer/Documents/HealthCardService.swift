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
    /// Where each card made is recorded.
    let audit: any AuditStore
    let clock: @Sendable () -> Date

    /// The compact JWS of the owner's unrevoked `VACER` document: 404 for any other document
    /// (unknown, someone else's, another type, no signed claims), 410 once revoked. The card
    /// carries the holder's name and doses, so making one is an access like a download: its
    /// trace (`document.card-made`, with `form`: file, qr or portal) is durable before the
    /// card is returned.
    func card(id: String?, by citizen: CitizenRecord, session: SessionRecord, form: String) async throws -> String {
        let document = try documents.owned(id: id, by: citizen)
        guard document.docType == "VACER" else { throw Problem.notFound }
        guard document.revokedAt == nil else { throw Problem(.gone, "revoked", "Revoked", detail: "This document was revoked (by its issuer or an administrator).") }
        guard let metadata = try documents.signedMetadata(document, owner: citizen),
              let pushed = try? JSONDecoder().decode(PushMetadata.self, from: Data(metadata)) else { throw Problem.notFound }
        let payload = try HealthCardPayload.json(issuer: issuerURL, notBefore: document.createdAt,
                                                 revocationID: vault.healthCardRevocationID(documentID: document.id), claims: pushed.claims)
        let jws = try HealthCardJWS.sign(payloadJSON: payload, key: vault.activeCardKey(now: clock()).key)
        try await audit.appendAudit(AuditEntry(at: clock(), action: "document.card-made", actor: "citizen", citizenID: citizen.id, documentID: document.id,
                                               detail: ["uri": document.uri, "session": session.id, "form": form]))
        return jws
    }

    /// The revocation list of key `kid`: the `rid` of every revoked vaccination certificate;
    /// nil for a key id that is not this deployment's.
    func revocationList(kid: String) throws -> HealthCardCRL? {
        guard try vault.publishedCardKeys(now: clock()).contains(where: { HealthCardJWS.thumbprint($0) == kid }) else { return nil }
        let rids = try store.revokedDocumentIDs(docType: "VACER").map { vault.healthCardRevocationID(documentID: $0) }
        return HealthCardCRL(kid: kid, method: "rid", ctr: rids.count, rids: rids)
    }
}
