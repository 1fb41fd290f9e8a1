import Crypto
import Foundation
import LockerCore
import LockerStore

/// Issuers' pushes and revocations, all their rules in one place: the document type must be
/// one the issuer is registered for, the date plausible, the signature the issuer's, the URI
/// the same citizen's; a repeat is idempotent, a change a new version. A 201 means the sealed
/// blob and its row are durable.
struct PushService: Sendable {
    let store: any PushStore
    let vault: Vault
    let pendingCitizens: PendingCitizens
    let settings: Settings
    let clock: @Sendable () -> Date
    /// Runs blocking file work (the blob's fsyncs) off the request threads.
    let blocking: @Sendable (@escaping @Sendable () throws -> (size: Int, sha256: Data)) async throws -> (size: Int, sha256: Data)

    /// Called when the metadata part has arrived, before any content is read: checks the
    /// metadata against the issuer and the stored document, and opens the sealed blob the
    /// content streams into.
    func begin(_ metadata: PushMetadata, push: PushInProgress) throws -> DocumentWriter {
        let issuer = push.issuer
        guard let uri = DocumentURI(issuerID: issuer.id, docType: metadata.docType, docID: metadata.docId) else { throw Problem.badRequest("Invalid document URI.") }
        // Refused before anything is stored: a type this issuer is not registered for, a
        // certificate dated in the future (which would rank first in every status check).
        guard issuer.mayIssue(metadata.docType) else { throw Self.docTypeNotAllowed(metadata.docType, issuer: issuer) }
        guard metadata.issuedOn <= Validate.latestIssueDate(now: clock()) else { throw Self.issuedInFuture }
        // One read for both lookups: the citizen by keyed mobile hash, the document by URI.
        let hash = vault.mobileHash(metadata.mobile)
        let (stored, current) = try store.citizenAndDocument(mobileHash: hash, uri: uri.description)
        let citizen = try pendingCitizens.acquire(mobile: metadata.mobile, hash: hash, stored: stored, vault: vault)
        push.owner = citizen
        push.existing = current
        if let current {
            guard current.ownerID == citizen.record.id else {
                throw Problem(.conflict, "uri-owned-by-another-citizen", "Conflict", detail: "This document URI already belongs to another mobile number.")
            }
            if current.revokedAt != nil { throw Problem(.gone, "revoked", "Revoked", detail: "This document URI was revoked.") }
        }
        push.documentID = current?.id ?? SecureRandom.orderedIdentifier()
        push.version = (current?.version ?? 0) + 1
        let key = try vault.dataKey(of: citizen.record)
        push.ownerKey = key
        return try vault.beginDocument(owner: citizen.record, documentID: push.documentID, version: push.version, dataKey: key)
    }

    /// Lets go of a citizen the push created but did not store.
    func end(_ push: PushInProgress) {
        if let owner = push.owner, owner.isNew { pendingCitizens.release(owner.record) }
    }

    /// After the whole body was read: verifies the signature over metadata and content, then
    /// stores the document (durable blob first, then its row with the audit entry).
    func finish(_ push: PushInProgress, reader: PushBodyReader) async throws -> (DocumentRecord, PushOutcome) {
        let issuer = push.issuer
        guard let writer = reader.writer, let metadata = reader.metadata, let owner = push.owner, let contentType = reader.contentType,
              let dataKey = push.ownerKey else {
            reader.abort()
            throw Problem.internalError
        }
        let metadataSHA = Data(SHA256Digest.of(reader.metadataBytes))
        let contentSHA = writer.digestSoFar()
        let signature: [UInt8]
        do {
            signature = try Self.signatureBytes(String(ASCII.trim(String(decoding: reader.signatureText, as: UTF8.self))))
        } catch {
            writer.abort()
            throw error
        }
        guard PushSignature.verify(signature: signature, publicKey: [UInt8](issuer.publicKey), metadataSHA256: [UInt8](metadataSHA), contentSHA256: [UInt8](contentSHA)) else {
            writer.abort()
            throw Problem(.unprocessableContent, "bad-signature", "Bad signature", detail: "The signature does not verify against the issuer's registered Ed25519 key over this metadata and content.")
        }
        let existing = push.existing
        if let existing, existing.contentSHA256 == contentSHA, existing.metadataSHA256 == metadataSHA {
            writer.abort()
            return (existing, .unchanged)
        }
        // Durable blob first (fsync, rename, directory fsync), off the request threads; a small
        // document sealed into memory (stored inline by the commit below) needs no such trip.
        let (size, _) = writer.finishTouchesDisk ? try await blocking { try writer.finish() } : try writer.finish()
        let now = clock()
        let (documentID, version) = (push.documentID, push.version)
        let sealedMetadata = try FieldSeal.seal(reader.metadataBytes, key: dataKey, field: "metadata/\(documentID)/\(version)", ownerID: owner.record.id)
        let uri = DocumentURI(issuerID: issuer.id, docType: metadata.docType, docID: metadata.docId)!.description
        var record = DocumentRecord(
            id: documentID, ownerID: owner.record.id, uri: uri, issuerID: issuer.id, docType: metadata.docType, issuerDocID: metadata.docId,
            issuedOn: metadata.issuedOn, version: version, blobID: writer.blobID, contentKeyWrapped: writer.contentKeyWrapped,
            dekVersion: writer.dekVersion, size: size, contentType: contentType, contentSHA256: contentSHA, claimsSealed: Data(sealedMetadata),
            signature: Data(signature), revokedAt: nil, createdAt: existing?.createdAt ?? now, updatedAt: now, metadataSHA256: metadataSHA)
        if metadata.docType == "VACER" {
            let claims = VaccinationClaims(metadata.claims)
            let facts = HolderFacts(normalizedName: NameMatch.normalize(claims.name ?? ""), status: claims.status)
            record.holderSealed = Data(try FieldSeal.seal(facts.bytes, key: dataKey, field: HolderFacts.field(record), ownerID: owner.record.id))
        }
        let outcome: PushOutcome = existing == nil ? .created : .updated
        let audit = AuditEntry(at: now, action: outcome == .created ? "document.pushed" : "document.updated", actor: "issuer:\(issuer.id)",
                               citizenID: record.ownerID, documentID: record.id, detail: ["uri": uri, "version": String(version), "issuer": issuer.name])
        do {
            try await store.storeDocument(record, newCitizen: owner.isNew ? owner.record : nil, inlineBlob: writer.inlineBytes,
                                          replacedBlobID: existing?.blobID, audit: audit)
        } catch let conflict as PushConflict {
            throw Self.problem(conflict)
        }
        return (record, outcome)
    }

    /// Revokes one of the issuer's documents. Another issuer's URI, a malformed one and an
    /// unknown one all look the same (404).
    func revoke(uri raw: String, issuer: IssuerRecord) async throws -> DocumentRecord {
        let uri = raw.removingPercentEncoding ?? raw
        guard let parsed = DocumentURI(uri), parsed.issuerID == issuer.id else { throw Problem.notFound }
        let found = try await store.revokeDocument(uri: parsed.description, at: clock()) { document in
            AuditEntry(at: document.updatedAt, action: "document.revoked", actor: "issuer:\(issuer.id)", citizenID: document.ownerID, documentID: document.id,
                       detail: ["uri": document.uri, "issuer": issuer.name])
        }
        guard let found else { throw Problem.notFound }
        return found
    }

    /// 409: what a lost race means to the issuer (retry the push).
    static func problem(_ conflict: PushConflict) -> Problem {
        switch conflict {
        case .citizenChanged: Problem(.conflict, "conflict", "Conflict", detail: "A concurrent request changed this citizen; retry the push.")
        case .keysChanged: Problem(.conflict, "conflict", "Conflict", detail: "The citizen's keys changed during this push; retry the push.")
        case .documentChanged: Problem(.conflict, "conflict", "Conflict", detail: "A concurrent push or revocation changed this document; retry the push.")
        }
    }

    /// 403: the issuer is not registered for this document type (`locker issuers add --doc-types`).
    static func docTypeNotAllowed(_ docType: String, issuer: IssuerRecord) -> Problem {
        let allowed = issuer.docTypeList.isEmpty ? "none" : issuer.docTypeList.joined(separator: ", ")
        return Problem(.forbidden, "doc-type-not-allowed", "Document type not allowed",
                       detail: "This issuer is not registered to issue \(docType) documents (registered: \(allowed)).")
    }

    /// 400: `issuedOn` later than tomorrow (UTC).
    static let issuedInFuture = Problem(.badRequest, "issued-on-in-future", "Issue date in the future",
                                        detail: "issuedOn may be at most one day after today's date (UTC).")
}
