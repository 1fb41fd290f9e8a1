import Foundation
import LockerCore
import PostgresNIO

extension PostgresStore: PullStore {
    public func pullIssuer(id: String) throws -> PullIssuerRecord? {
        try read { c in try c.query("SELECT * FROM pullIssuers WHERE id = \(id)").first?.record() }
    }

    public func pullIssuers() throws -> [PullIssuerRecord] {
        try read { c in try c.query("SELECT * FROM pullIssuers ORDER BY id").map { try $0.record() } }
    }

    public func pulledDocuments(ownerID: String) throws -> [PulledDocumentRecord] {
        try read { c in try c.query("SELECT * FROM pulledDocuments WHERE ownerID = \(ownerID) ORDER BY createdAt DESC, id").map { try $0.record() } }
    }

    public func pulledDocument(id: String, ownerID: String) throws -> PulledDocumentRecord? {
        try read { c in try c.query("SELECT * FROM pulledDocuments WHERE id = \(id) AND ownerID = \(ownerID)").first?.record() }
    }

    public func duePulls(now: Date, limit: Int) throws -> [PulledDocumentRecord] {
        try read { c in
            try c.query("SELECT * FROM pulledDocuments WHERE status = 'pending' AND nextTryAt <= \(now) ORDER BY nextTryAt LIMIT \(limit)").map { try $0.record() }
        }
    }

    public func savePulled(_ record: PulledDocumentRecord, audit: AuditEntry?) async throws -> Bool {
        try await committer.write { tx in
            let c = tx.connection
            if let uri = record.uri,
               try c.query("SELECT 1 FROM pulledDocuments WHERE ownerID = \(record.ownerID) AND uri = \(uri) AND id <> \(record.id)").first != nil {
                return false
            }
            if try c.execute(PGColumns.update(record, in: "pulledDocuments", key: "id")) == 0 {
                try c.execute(PGColumns.insert(record, into: "pulledDocuments"))
            }
            if let audit { try tx.appendAudit(audit) }
            return true
        }
    }

    public func deletePulled(id: String, ownerID: String, audit: AuditEntry) async throws -> Bool {
        try await committer.write { tx in
            guard try tx.connection.execute("DELETE FROM pulledDocuments WHERE id = \(id) AND ownerID = \(ownerID)") == 1 else { return false }
            try tx.appendAudit(audit)
            return true
        }
    }
}
