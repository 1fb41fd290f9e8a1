import Foundation
import GRDB

/// The lookups on every request's path, as cached prepared statements: building SQL through
/// the query interface and preparing it again cost more than the query itself (measured: one
/// query-interface read ≈ 170 µs under load against ≈ 40 µs cached).
public enum HotQueries {
    /// A session by token hash, with its citizen.
    public static func session(_ db: Database, tokenHash: Data) throws -> (SessionRecord, CitizenRecord)? {
        let s = try db.cachedStatement(sql: "SELECT \(SessionRecord.selection) FROM sessions WHERE tokenHash = ?")
        guard let session = try SessionRecord.fetchFirst(s, arguments: [tokenHash]) else { return nil }
        guard let citizen = try citizen(db, id: session.citizenID) else { return nil }
        return (session, citizen)
    }

    /// A document by id, only if `ownerID` owns it (one lookup whether it exists or not).
    public static func ownedDocument(_ db: Database, id: String, ownerID: String) throws -> DocumentRecord? {
        let s = try db.cachedStatement(sql: "SELECT \(DocumentRecord.selection) FROM documents WHERE id = ? AND ownerID = ?")
        return try DocumentRecord.fetchFirst(s, arguments: [id, ownerID])
    }

    /// A document by id.
    public static func document(_ db: Database, id: String) throws -> DocumentRecord? {
        let s = try db.cachedStatement(sql: "SELECT \(DocumentRecord.selection) FROM documents WHERE id = ?")
        return try DocumentRecord.fetchFirst(s, arguments: [id])
    }

    /// A document by its URI (`issuer-DOCTYPE-docId`).
    public static func document(_ db: Database, uri: String) throws -> DocumentRecord? {
        let s = try db.cachedStatement(sql: "SELECT \(DocumentRecord.selection) FROM documents WHERE uri = ?")
        return try DocumentRecord.fetchFirst(s, arguments: [uri])
    }

    /// An issuer by API-key hash.
    public static func issuer(_ db: Database, apiKeyHash: Data) throws -> IssuerRecord? {
        let s = try db.cachedStatement(sql: "SELECT * FROM issuers WHERE apiKeyHash = ?")
        return try IssuerRecord.fetchOne(s, arguments: [apiKeyHash])
    }

    /// A citizen's data-key version (what a push sealed under must still be current).
    public static func dataKeyVersion(_ db: Database, citizenID: String) throws -> Int? {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT dekVersion FROM citizens WHERE id = ?"), arguments: [citizenID])
    }

    /// A citizen by keyed mobile hash.
    public static func citizen(_ db: Database, mobileHash: Data) throws -> CitizenRecord? {
        let s = try db.cachedStatement(sql: "SELECT \(CitizenRecord.selection) FROM citizens WHERE mobileHash = ?")
        return try CitizenRecord.fetchFirst(s, arguments: [mobileHash])
    }

    /// A citizen by id.
    public static func citizen(_ db: Database, id: String) throws -> CitizenRecord? {
        let s = try db.cachedStatement(sql: "SELECT \(CitizenRecord.selection) FROM citizens WHERE id = ?")
        return try CitizenRecord.fetchFirst(s, arguments: [id])
    }

    /// A citizen's unrevoked vaccination certificates, newest first.
    public static func vaccinationCertificates(_ db: Database, ownerID: String) throws -> [DocumentRecord] {
        let s = try db.cachedStatement(sql: "SELECT \(DocumentRecord.selection) FROM documents WHERE ownerID = ? AND docType = 'VACER' AND revokedAt IS NULL ORDER BY issuedOn DESC, updatedAt DESC")
        return try Row.fetchCursor(s, arguments: [ownerID]).map { try DocumentRecord(selected: $0) }.reduce(into: []) { $0.append($1) }
    }

    /// A grant by token hash, with its document and the document's owner.
    public static func share(_ db: Database, tokenHash: Data) throws -> (ShareRecord, DocumentRecord, CitizenRecord)? {
        let s = try db.cachedStatement(sql: "SELECT \(ShareRecord.selection) FROM shares WHERE tokenHash = ?")
        guard let share = try ShareRecord.fetchFirst(s, arguments: [tokenHash]) else { return nil }
        let d = try db.cachedStatement(sql: "SELECT \(DocumentRecord.selection) FROM documents WHERE id = ?")
        guard let document = try DocumentRecord.fetchFirst(d, arguments: [share.documentID]) else { return nil }
        guard let owner = try citizen(db, id: share.ownerID) else { return nil }
        return (share, document, owner)
    }
}
