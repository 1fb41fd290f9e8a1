import Foundation
import GRDB
import LockerCore

extension SQLiteStore: PartnerStore {
    public func partner(id: String) throws -> PartnerRecord? {
        try database.read { db in try PartnerRecord.fetchOne(db, key: id) }
    }

    public func partnerAccess(tokenHash: Data) throws -> PartnerAccess? {
        try database.read { db in
            guard let token = try PartnerTokenRecord.fetchOne(db, key: tokenHash),
                  let connection = try PartnerConnectionRecord.fetchOne(db, key: token.connectionID),
                  let partner = try PartnerRecord.fetchOne(db, key: connection.partnerID),
                  let citizen = try HotQueries.citizen(db, id: connection.citizenID) else { return nil }
            return PartnerAccess(token: token, connection: connection, partner: partner, citizen: citizen)
        }
    }

    public func connections(citizenID: String) throws -> [(PartnerConnectionRecord, PartnerRecord)] {
        try database.read { db in
            let connections = try PartnerConnectionRecord.filter(PartnerConnectionRecord.Columns.citizenID == citizenID)
                .order(PartnerConnectionRecord.Columns.createdAt.desc).fetchAll(db)
            return try connections.compactMap { c in try PartnerRecord.fetchOne(db, key: c.partnerID).map { (c, $0) } }
        }
    }

    public func inPartnerTransaction<T: Sendable>(_ work: @escaping @Sendable (any PartnerTransaction) throws -> T) async throws -> T {
        try await committer.write { db in try work(SQLiteTransaction(db: db)) }
    }
}

extension SQLiteTransaction: PartnerTransaction {
    func partner(id: String) throws -> PartnerRecord? { try PartnerRecord.fetchOne(db, key: id) }
    func partnerToken(hash: Data) throws -> PartnerTokenRecord? { try PartnerTokenRecord.fetchOne(db, key: hash) }
    func connection(id: String) throws -> PartnerConnectionRecord? { try PartnerConnectionRecord.fetchOne(db, key: id) }
    func insertConnection(_ connection: PartnerConnectionRecord) throws { try connection.insert(db) }
    func updateConnection(_ connection: PartnerConnectionRecord) throws { try connection.update(db) }
    func insertPartnerToken(_ token: PartnerTokenRecord) throws { try token.insert(db) }

    func spendPartnerToken(hash: Data, at: Date) throws -> Bool {
        try db.execute(sql: "UPDATE partnerTokens SET usedAt = ? WHERE tokenHash = ? AND usedAt IS NULL", arguments: [at, hash])
        return db.changesCount == 1
    }
}
