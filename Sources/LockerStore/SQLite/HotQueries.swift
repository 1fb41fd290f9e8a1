import Foundation
import GRDB

/// The lookups on every request's path, as cached prepared statements: building SQL through
/// the query interface and preparing it again cost more than the query itself (measured: one
/// query-interface read ≈ 170 µs under load against ≈ 40 µs cached).
public enum HotQueries {
    /// A session by token hash, with its citizen.
    public static func session(_ db: Database, tokenHash: Data) throws -> (SessionRecord, CitizenRecord)? {
        guard let session: SessionRecord = try first(db, sessionByTokenSQL, [tokenHash]) else { return nil }
        guard let citizen = try citizen(db, id: session.citizenID) else { return nil }
        return (session, citizen)
    }

    /// A document by id, only if `ownerID` owns it (one lookup whether it exists or not).
    public static func ownedDocument(_ db: Database, id: String, ownerID: String) throws -> DocumentRecord? {
        try first(db, ownedDocumentSQL, [id, ownerID])
    }

    /// A document by id.
    public static func document(_ db: Database, id: String) throws -> DocumentRecord? {
        try first(db, documentByIDSQL, [id])
    }

    /// A document by its URI (`issuer-DOCTYPE-docId`).
    public static func document(_ db: Database, uri: String) throws -> DocumentRecord? {
        try first(db, documentByURISQL, [uri])
    }

    /// An issuer by id (a status answer checks it is enabled and registered for the type).
    public static func issuer(_ db: Database, id: String) throws -> IssuerRecord? {
        try first(db, issuerByIDSQL, [id])
    }

    /// An issuer by API-key hash.
    public static func issuer(_ db: Database, apiKeyHash: Data) throws -> IssuerRecord? {
        try first(db, issuerByKeySQL, [apiKeyHash])
    }

    /// A citizen's data-key version (what a push sealed under must still be current).
    public static func dataKeyVersion(_ db: Database, citizenID: String) throws -> Int? {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT dekVersion FROM citizens WHERE id = ?"), arguments: [citizenID])
    }

    /// A citizen by keyed mobile hash.
    public static func citizen(_ db: Database, mobileHash: Data) throws -> CitizenRecord? {
        try first(db, citizenByMobileSQL, [mobileHash])
    }

    /// A citizen by id.
    public static func citizen(_ db: Database, id: String) throws -> CitizenRecord? {
        try first(db, citizenByIDSQL, [id])
    }

    /// A citizen's vaccination certificates that a status answer may count, newest first:
    /// unrevoked, from an enabled issuer registered for `VACER`, and issued on or before
    /// `issuedNoLaterThan` (a future date pushed before pushes refused them cannot rank first).
    public static func vaccinationCertificates(_ db: Database, ownerID: String, issuedNoLaterThan: String) throws -> [DocumentRecord] {
        let s = try db.cachedStatement(sql: vaccinationCertificatesSQL)
        return try s.fetchAll(arguments: [ownerID, issuedNoLaterThan]) { try DocumentRecord(selected: $0, at: 0) }
    }

    /// A grant by token hash, with its document and the document's owner, in one joined read
    /// (it runs on the serialized writer, where every statement counts).
    public static func share(_ db: Database, tokenHash: Data) throws -> (ShareRecord, DocumentRecord, CitizenRecord)? {
        let s = try db.cachedStatement(sql: shareByTokenSQL)
        return try s.fetchFirst(arguments: [tokenHash]) { row in
            (try ShareRecord(selected: row, at: 0), try DocumentRecord(selected: row, at: shareColumns),
             try CitizenRecord(selected: row, at: shareColumns + documentColumns))
        }
    }

    /// The first row of a cached statement for `sql` (which selects `T.selection`), or nil.
    private static func first<T: HotRow>(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> T? {
        try T.fetchFirst(db.cachedStatement(sql: sql), arguments: arguments)
    }

    private static let shareColumns = ShareRecord.columnCount
    private static let documentColumns = DocumentRecord.columnCount
    private static let shareByTokenSQL = """
        SELECT \(ShareRecord.selection(as: "s")), \(DocumentRecord.selection(as: "d")), \(CitizenRecord.selection(as: "c"))
        FROM shares s JOIN documents d ON d.id = s.documentID JOIN citizens c ON c.id = s.ownerID
        WHERE s.tokenHash = ?
        """

    // SQL built once: interpolating it per call cost more than looking up the cached statement.
    private static let sessionByTokenSQL = "SELECT \(SessionRecord.selection) FROM sessions WHERE tokenHash = ?"
    private static let ownedDocumentSQL = "SELECT \(DocumentRecord.selection) FROM documents WHERE id = ? AND ownerID = ?"
    private static let documentByIDSQL = "SELECT \(DocumentRecord.selection) FROM documents WHERE id = ?"
    private static let documentByURISQL = "SELECT \(DocumentRecord.selection) FROM documents WHERE uri = ?"
    private static let citizenByMobileSQL = "SELECT \(CitizenRecord.selection) FROM citizens WHERE mobileHash = ?"
    private static let issuerByIDSQL = "SELECT \(IssuerRecord.selection) FROM issuers WHERE id = ?"
    private static let issuerByKeySQL = "SELECT \(IssuerRecord.selection) FROM issuers WHERE apiKeyHash = ?"
    private static let citizenByIDSQL = "SELECT \(CitizenRecord.selection) FROM citizens WHERE id = ?"
    private static let vaccinationCertificatesSQL = """
        SELECT \(DocumentRecord.selection(as: "d")) FROM documents d JOIN issuers i ON i.id = d.issuerID
        WHERE d.ownerID = ? AND d.docType = 'VACER' AND d.revokedAt IS NULL AND d.issuedOn <= ? AND \(IssuerRecord.issuesDocTypeSQL(alias: "i", docType: "d.docType"))
        ORDER BY d.issuedOn DESC, d.updatedAt DESC
        """
}
