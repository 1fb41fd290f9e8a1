import Crypto
import Foundation
import GRDB
import Hummingbird
import LockerCore
import LockerStore

/// Issuer routes: push (create / update / idempotent repeat) and revoke.
struct PushController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/issuer/documents", use: push)
        router.delete("/v1/issuer/documents/{uri}", use: revoke)
    }

    enum Outcome: String { case created, unchanged, updated }

    @Sendable func push(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let issuer = try Authenticate.issuer(request, services: services)
        guard let boundary = multipartBoundary(request.headers[.contentType]) else {
            throw Problem(.unsupportedMediaType, "unsupported-media-type", "Unsupported media type", detail: "Send multipart/form-data with a boundary.")
        }
        let vault = services.vault
        var owner: (record: CitizenRecord, isNew: Bool)?
        var existing: DocumentRecord?
        var documentID = ""
        var version = 1
        var ownerKey: SymmetricKey?
        let reader = PushBodyReader(boundary: boundary, maxDocumentBytes: services.settings.maxDocumentBytes, maxMetadataBytes: services.settings.maxJSONBytes) { metadata, _ in
            guard let uri = DocumentURI(issuerID: issuer.id, docType: metadata.docType, docID: metadata.docId) else { throw Problem.badRequest("Invalid document URI.") }
            // Refused before anything is stored: a type this issuer is not registered for, a
            // certificate dated in the future (which would rank first in every status check).
            guard issuer.mayIssue(metadata.docType) else { throw Self.docTypeNotAllowed(metadata.docType, issuer: issuer) }
            guard metadata.issuedOn <= Validate.latestIssueDate(now: services.clock()) else { throw Self.issuedInFuture }
            // One read for both lookups: the citizen by keyed mobile hash, the document by URI.
            let hash = vault.mobileHash(metadata.mobile)
            let (stored, current) = try vault.database.read { db in
                (try HotQueries.citizen(db, mobileHash: hash), try HotQueries.document(db, uri: uri.description))
            }
            let citizen = try services.pendingCitizens.acquire(mobile: metadata.mobile, hash: hash, stored: stored, vault: vault)
            owner = citizen
            existing = current
            if let existing {
                guard existing.ownerID == citizen.record.id else {
                    throw Problem(.conflict, "uri-owned-by-another-citizen", "Conflict", detail: "This document URI already belongs to another mobile number.")
                }
                if existing.revokedAt != nil { throw Problem(.gone, "revoked", "Revoked", detail: "This document URI was revoked.") }
            }
            documentID = existing?.id ?? SecureRandom.orderedIdentifier()
            version = (existing?.version ?? 0) + 1
            let key = try vault.dataKey(of: citizen.record)
            ownerKey = key
            return try vault.beginDocument(owner: citizen.record, documentID: documentID, version: version, dataKey: key)
        }
        defer { if let owner, owner.isNew { services.pendingCitizens.release(owner.record) } }
        do {
            for try await chunk in request.body { try reader.feed(chunk) }
            try reader.finish()
        } catch {
            reader.abort()
            throw error
        }
        guard let writer = reader.writer, let metadata = reader.metadata, let owner, let contentType = reader.contentType, let dataKey = ownerKey else {
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
        if let existing, existing.contentSHA256 == contentSHA, existing.metadataSHA256 == metadataSHA {
            writer.abort()
            return try documentResponse(existing, issuerName: issuer.name, status: .ok, outcome: .unchanged)
        }

        // Durable blob first (fsync, rename, directory fsync), off the request threads; a small
        // document sealed into memory (stored inline by the commit below) needs no such trip.
        let (size, _) = writer.finishTouchesDisk ? try await services.blocking { try writer.finish() } : try writer.finish()
        let now = services.clock()
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
        let citizen = owner
        let inlineBlob = writer.inlineBytes
        let replacedBlob = existing?.blobID
        let newVersion = version
        let stored = record
        let outcome: Outcome = existing == nil ? .created : .updated
        do {
            try await services.committer.write { db in
                if citizen.isNew {
                    if let stored = try HotQueries.citizen(db, mobileHash: citizen.record.mobileHash) {
                        guard stored.id == citizen.record.id else { throw Problem(.conflict, "conflict", "Conflict", detail: "A concurrent request changed this citizen; retry the push.") }
                    } else {
                        try citizen.record.insert(db)
                    }
                }
                // A rekey of this citizen (locker citizens rekey) between sealing and now would
                // leave this document under a data key that no longer exists.
                guard try HotQueries.dataKeyVersion(db, citizenID: stored.ownerID) == stored.dekVersion else {
                    throw Problem(.conflict, "conflict", "Conflict", detail: "The citizen's keys changed during this push; retry the push.")
                }
                let current = try HotQueries.document(db, uri: uri)
                guard (current?.version ?? 0) == newVersion - 1, current?.revokedAt == nil else {
                    throw Problem(.conflict, "conflict", "Conflict", detail: "A concurrent push or revocation changed this document; retry the push.")
                }
                // The check above settles which: no row yet, or exactly the previous version.
                if current == nil { try stored.insertHot(db) } else { try stored.update(db) }
                if let inlineBlob { try InlineBlobs.insert(db, id: stored.blobID, bytes: inlineBlob) }
                if let replacedBlob { try InlineBlobs.remove(db, id: replacedBlob) }
                try AuditLog.append(db, at: now, action: outcome == .created ? "document.pushed" : "document.updated", actor: "issuer:\(issuer.id)",
                                    citizenID: stored.ownerID, documentID: stored.id, detail: ["uri": uri, "version": String(newVersion), "issuer": issuer.name])
            }
        } catch {
            try? vault.blobs.remove(record.blobID)
            throw error
        }
        if let old = existing?.blobID { try? vault.blobs.remove(old) }
        return try documentResponse(record, issuerName: issuer.name, status: outcome == .created ? .created : .ok, outcome: outcome)
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

    @Sendable func revoke(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let issuer = try Authenticate.issuer(request, services: services)
        let raw = context.parameters.get("uri") ?? ""
        let uri = raw.removingPercentEncoding ?? raw
        // Another issuer's URI, a malformed one and an unknown one all look the same.
        guard let parsed = DocumentURI(uri), parsed.issuerID == issuer.id else { throw Problem.notFound }
        let now = services.clock()
        let record: DocumentRecord = try await services.committer.write { db in
            guard var document = try DocumentRecord.filter(DocumentRecord.Columns.uri == parsed.description).fetchOne(db) else { throw Problem.notFound }
            if document.revokedAt == nil {
                document.revokedAt = now
                document.updatedAt = now
                try document.update(db)
                try AuditLog.append(db, at: now, action: "document.revoked", actor: "issuer:\(issuer.id)", citizenID: document.ownerID, documentID: document.id,
                                    detail: ["uri": document.uri, "issuer": issuer.name])
            }
            return document
        }
        return try documentResponse(record, issuerName: issuer.name, status: .ok, outcome: nil)
    }

    /// The 64 signature bytes from the signature part: unpadded base64url (86 characters) and
    /// nothing else. Hex, padded or standard base64 get a 422 that says so, rather than "does
    /// not verify", so an issuer fixes the encoding instead of hunting for a key mix-up.
    static func signatureBytes(_ text: String) throws -> [UInt8] {
        func refuse(_ why: String) -> Problem {
            Problem(.unprocessableContent, "bad-signature", "Bad signature",
                    detail: "The signature is not base64url: \(why). Send the 64-byte Ed25519 signature as unpadded base64url (86 characters of A-Z a-z 0-9 - _).")
        }
        let bytes = Array(text.utf8)
        let isHex = bytes.count == 128 && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0 | 0x20) }
        if isHex { throw refuse("it looks like hex") }
        if bytes.contains(UInt8(ascii: "=")) { throw refuse("it is padded with '='") }
        if bytes.contains(UInt8(ascii: "+")) || bytes.contains(UInt8(ascii: "/")) { throw refuse("it holds '+' or '/' (standard base64)") }
        if bytes.isEmpty { throw refuse("the part is empty") }
        guard let decoded = Base64URL.decode(text) else { throw refuse("it holds characters outside A-Z a-z 0-9 - _") }
        guard decoded.count == 64 else { throw refuse("it decodes to \(Plural.count(decoded.count, "byte")), not 64") }
        return decoded
    }

    func documentResponse(_ record: DocumentRecord, issuerName: String, status: HTTPResponse.Status, outcome: Outcome?) throws -> Response {
        var object = DocumentJSON.object(record, issuerName: issuerName)
        if let outcome { object["result"] = outcome.rawValue }
        return try JSONResponse.make(object, status: status)
    }
}
