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

    public func inPullTransaction<T: Sendable>(_ work: @escaping @Sendable (any PullTransaction) throws -> T) async throws -> T {
        try await committer.write { tx in try work(tx) }
    }

    public func deletePulled(id: String, ownerID: String, audit: AuditEntry) async throws -> Bool {
        try await committer.write { tx in
            guard try tx.connection.execute("DELETE FROM pulledDocuments WHERE id = \(id) AND ownerID = \(ownerID)") == 1 else { return false }
            try tx.appendAudit(audit)
            return true
        }
    }
}

extension PostgresTransaction: PullTransaction {
    public func spendPushURINonce(issuerID: String, ts: String, at: Date) throws -> Bool {
        try connection.execute("INSERT INTO pushURINonces (issuerID, ts, createdAt) VALUES (\(issuerID), \(ts), \(at)) ON CONFLICT DO NOTHING") == 1
    }

    public func pulledDocument(ownerID: String, uri: String) throws -> PulledDocumentRecord? {
        try connection.query("SELECT * FROM pulledDocuments WHERE ownerID = \(ownerID) AND uri = \(uri) FOR UPDATE").first?.record()
    }

    public func savePulled(_ record: PulledDocumentRecord) throws {
        if try connection.execute(PGColumns.update(record, in: "pulledDocuments", key: "id")) == 0 {
            try connection.execute(PGColumns.insert(record, into: "pulledDocuments"))
        }
    }

    public func deletePulled(id: String) throws { try connection.execute("DELETE FROM pulledDocuments WHERE id = \(id)") }
}
