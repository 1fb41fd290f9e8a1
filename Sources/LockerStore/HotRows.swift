import Foundation
import GRDB

/// Decoding by column position for the records every request reads (session, citizen,
/// document, grant). GRDB's `Codable` decoding finds each column by a lower-cased name lookup,
/// which for a document's 21 columns cost more than the query. Each type's `selection` and
/// `init(selected:)` sit side by side, in the same order, and `HotRowTests` checks every one
/// against the `Codable` decoding of the same row.
public protocol HotRow {
    /// The SELECT list, in the order `init(selected:)` reads it.
    static var selection: String { get }
    init(selected row: Row) throws
}

extension HotRow {
    /// The first row of `statement` (which selects `selection`), or nil.
    static func fetchFirst(_ statement: Statement, arguments: StatementArguments) throws -> Self? {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        guard let row = try rows.next() else { return nil }
        return try Self(selected: row)
    }
}

extension CitizenRecord: HotRow {
    public static let selection = "id, mobileHash, mobileSealed, dekWrapped, kekVersion, dekVersion, createdAt"

    public init(selected row: Row) throws {
        self.init(id: try row.decode(atIndex: 0), mobileHash: try row.decode(atIndex: 1), mobileSealed: try row.decode(atIndex: 2),
                  dekWrapped: try row.decode(atIndex: 3), kekVersion: try row.decode(atIndex: 4), dekVersion: try row.decode(atIndex: 5),
                  createdAt: try row.decode(atIndex: 6))
    }
}

extension SessionRecord: HotRow {
    public static let selection = "id, tokenHash, citizenID, createdAt, expiresAt, revokedAt"

    public init(selected row: Row) throws {
        self.init(id: try row.decode(atIndex: 0), tokenHash: try row.decode(atIndex: 1), citizenID: try row.decode(atIndex: 2),
                  createdAt: try row.decode(atIndex: 3), expiresAt: try row.decode(atIndex: 4), revokedAt: try row.decode(atIndex: 5))
    }
}

extension DocumentRecord: HotRow {
    public static let selection = """
        id, ownerID, uri, issuerID, docType, issuerDocID, issuedOn, version, blobID, contentKeyWrapped, dekVersion, size, \
        contentType, contentSHA256, claimsSealed, signature, revokedAt, createdAt, updatedAt, metadataSHA256, holderSealed
        """

    public init(selected row: Row) throws {
        self.init(id: try row.decode(atIndex: 0), ownerID: try row.decode(atIndex: 1), uri: try row.decode(atIndex: 2),
                  issuerID: try row.decode(atIndex: 3), docType: try row.decode(atIndex: 4), issuerDocID: try row.decode(atIndex: 5),
                  issuedOn: try row.decode(atIndex: 6), version: try row.decode(atIndex: 7), blobID: try row.decode(atIndex: 8),
                  contentKeyWrapped: try row.decode(atIndex: 9), dekVersion: try row.decode(atIndex: 10), size: try row.decode(atIndex: 11),
                  contentType: try row.decode(atIndex: 12), contentSHA256: try row.decode(atIndex: 13), claimsSealed: try row.decode(atIndex: 14),
                  signature: try row.decode(atIndex: 15), revokedAt: try row.decode(atIndex: 16), createdAt: try row.decode(atIndex: 17),
                  updatedAt: try row.decode(atIndex: 18), metadataSHA256: try row.decode(atIndex: 19), holderSealed: try row.decode(atIndex: 20))
    }
}

extension ShareRecord: HotRow {
    public static let selection = "id, tokenHash, documentID, ownerID, scope, label, maxUses, usesSpent, passcodeHash, wrongPasscodes, createdAt, expiresAt, revokedAt"

    public init(selected row: Row) throws {
        let scopeText: String = try row.decode(atIndex: 4)
        guard let scope = Scope(rawValue: scopeText) else { throw StoreError("grant has an unknown scope \(scopeText.debugDescription)") }
        self.init(id: try row.decode(atIndex: 0), tokenHash: try row.decode(atIndex: 1), documentID: try row.decode(atIndex: 2),
                  ownerID: try row.decode(atIndex: 3), scope: scope, label: try row.decode(atIndex: 5), maxUses: try row.decode(atIndex: 6),
                  usesSpent: try row.decode(atIndex: 7), passcodeHash: try row.decode(atIndex: 8), wrongPasscodes: try row.decode(atIndex: 9),
                  createdAt: try row.decode(atIndex: 10), expiresAt: try row.decode(atIndex: 11), revokedAt: try row.decode(atIndex: 12))
    }
}

extension DocumentRecord {
    /// Inserts the row with one cached statement, columns in `selection` order (the push path's
    /// commit; GRDB's `Codable` insert builds its arguments through an encoder per call).
    public func insertHot(_ db: Database) throws {
        let placeholders = Array(repeating: "?", count: 21).joined(separator: ", ")
        let s = try db.cachedStatement(sql: "INSERT INTO documents (\(Self.selection)) VALUES (\(placeholders))")
        try s.execute(arguments: [
            id, ownerID, uri, issuerID, docType, issuerDocID, issuedOn, version, blobID, contentKeyWrapped, dekVersion, size,
            contentType, contentSHA256, claimsSealed, signature, revokedAt.map(DBTime.text), DBTime.text(createdAt), DBTime.text(updatedAt),
            metadataSHA256, holderSealed,
        ])
    }
}
