import Foundation
import GRDB
import LockerCore

extension SQLiteStore: SignInStore {
    public func session(tokenHash: Data) throws -> (SessionRecord, CitizenRecord)? {
        try database.read { db in try HotQueries.session(db, tokenHash: tokenHash) }
    }

    public func kycRequest(id: String) throws -> (KYCRequestRecord, VerifierRecord)? {
        try database.read { db in
            guard let r = try KYCRequestRecord.fetchOne(db, key: id), let v = try VerifierRecord.fetchOne(db, key: r.verifierID) else { return nil }
            return (r, v)
        }
    }

    public func inSignInTransaction<T: Sendable>(_ work: @escaping @Sendable (any SignInTransaction) throws -> T) async throws -> T {
        try await committer.write { db in try work(SQLiteTransaction(db: db)) }
    }
}
