import Foundation
import LockerCore
import PostgresNIO

extension PostgresStore: PartnerStore {
    public func partner(id: String) throws -> PartnerRecord? {
        try read { c in try c.query("SELECT * FROM partners WHERE id = \(id)").first?.record() }
    }

    public func partnerAccess(tokenHash: Data) throws -> PartnerAccess? {
        try read { c in
            var binds = PostgresBindings()
            try binds.append(tokenHash)
            guard let row = try c.query(PostgresQuery(unsafeSQL: """
                SELECT \(PGSelect.columns(PartnerTokenRecord.CodingKeys.self, as: "t")), \(PGSelect.columns(PartnerConnectionRecord.CodingKeys.self, as: "g")),
                       \(PGSelect.columns(PartnerRecord.CodingKeys.self, as: "p")), \(PGSelect.citizen)
                FROM partnerTokens t JOIN partnerConnections g ON g.id = t.connectionID
                     JOIN partners p ON p.id = g.partnerID JOIN citizens c ON c.id = g.citizenID
                WHERE t.tokenHash = $1
                """, binds: binds)).first else { return nil }
            return PartnerAccess(token: try row.record(prefix: "t"), connection: try row.record(prefix: "g"),
                                 partner: try row.record(prefix: "p"), citizen: try row.record(prefix: "c"))
        }
    }

    public func connections(citizenID: String) throws -> [(PartnerConnectionRecord, PartnerRecord)] {
        try read { c in
            try c.query(PostgresQuery(unsafeSQL: """
                SELECT \(PGSelect.columns(PartnerConnectionRecord.CodingKeys.self, as: "g")), \(PGSelect.columns(PartnerRecord.CodingKeys.self, as: "p"))
                FROM partnerConnections g JOIN partners p ON p.id = g.partnerID WHERE g.citizenID = $1 ORDER BY g.createdAt DESC
                """, binds: { var b = PostgresBindings(); b.append(citizenID); return b }()))
            .map { (try $0.record(prefix: "g"), try $0.record(prefix: "p")) }
        }
    }

    public func inPartnerTransaction<T: Sendable>(_ work: @escaping @Sendable (any PartnerTransaction) throws -> T) async throws -> T {
        try await committer.write { tx in try work(tx) }
    }
}

extension PostgresTransaction: PartnerTransaction {
    public func partner(id: String) throws -> PartnerRecord? { try connection.query("SELECT * FROM partners WHERE id = \(id)").first?.record() }

    public func partnerToken(hash: Data) throws -> PartnerTokenRecord? {
        try connection.query("SELECT * FROM partnerTokens WHERE tokenHash = \(hash)").first?.record()
    }

    /// Locked until commit: a refresh and a disconnect on two nodes take turns.
    public func connection(id: String) throws -> PartnerConnectionRecord? {
        try connection.query("SELECT * FROM partnerConnections WHERE id = \(id) FOR UPDATE").first?.record()
    }

    public func insertConnection(_ record: PartnerConnectionRecord) throws { try connection.execute(PGColumns.insert(record, into: "partnerConnections")) }
    public func updateConnection(_ record: PartnerConnectionRecord) throws { try connection.execute(PGColumns.update(record, in: "partnerConnections", key: "id")) }
    public func insertPartnerToken(_ token: PartnerTokenRecord) throws { try connection.execute(PGColumns.insert(token, into: "partnerTokens")) }

    /// One conditional UPDATE: a second spender on another node waits for the first's lock,
    /// then finds `usedAt` set and changes nothing.
    public func spendPartnerToken(hash: Data, at: Date) throws -> Bool {
        try connection.execute("UPDATE partnerTokens SET usedAt = \(at) WHERE tokenHash = \(hash) AND usedAt IS NULL") == 1
    }
}
