import Foundation
import GRDB
import LockerCore

extension SQLiteStore: PushStore {
    public func citizenAndDocument(mobileHash: Data, uri: String) throws -> (citizen: CitizenRecord?, document: DocumentRecord?) {
        try database.read { db in
            (try HotQueries.citizen(db, mobileHash: mobileHash), try HotQueries.document(db, uri: uri))
        }
    }

    public func storeDocument(_ document: DocumentRecord, newCitizen: CitizenRecord?, inlineBlob: Data?, replacedBlobID: String?, audit: AuditEntry) async throws {
        do {
            try await save(document, newCitizen: newCitizen, inlineBlob: inlineBlob, replacedBlobID: replacedBlobID, audit: audit)
        } catch {
            // The row never committed, so neither did an inline blob: only a spilled file may be left.
            blobs.files.removeUnreferenced(document.blobID)
            throw error
        }
        // The replaced version's inline row went with the commit; its file (if it had one) goes now.
        if let replacedBlobID { blobs.files.removeUnreferenced(replacedBlobID) }
    }

    private func save(_ document: DocumentRecord, newCitizen: CitizenRecord?, inlineBlob: Data?, replacedBlobID: String?, audit: AuditEntry) async throws {
        try await committer.write { db in
            if let newCitizen {
                if let stored = try HotQueries.citizen(db, mobileHash: newCitizen.mobileHash) {
                    guard stored.id == newCitizen.id else { throw PushConflict.citizenChanged }
                } else {
                    try newCitizen.insert(db)
                }
            }
            guard try HotQueries.dataKeyVersion(db, citizenID: document.ownerID) == document.dekVersion else { throw PushConflict.keysChanged }
            let current = try HotQueries.document(db, uri: document.uri)
            guard (current?.version ?? 0) == document.version - 1, current?.revokedAt == nil else { throw PushConflict.documentChanged }
            // The check above settles which: no row yet, or exactly the previous version.
            if current == nil { try document.insertHot(db) } else { try document.update(db) }
            if let inlineBlob { try SQLiteBlobStore.insertInline(db, id: document.blobID, bytes: inlineBlob) }
            if let replacedBlobID { try SQLiteBlobStore.removeInline(db, id: replacedBlobID) }
            try AuditLog.append(db, audit)
        }
    }

    public func revokeDocument(uri: String, at: Date, audit: @escaping @Sendable (DocumentRecord) -> AuditEntry) async throws -> DocumentRecord? {
        try await committer.write { db in
            guard var document = try DocumentRecord.filter(DocumentRecord.Columns.uri == uri).fetchOne(db) else { return nil }
            if document.revokedAt == nil {
                document.revokedAt = at
                document.updatedAt = at
                try document.update(db)
                try AuditLog.append(db, audit(document))
            }
            return document
        }
    }
}
