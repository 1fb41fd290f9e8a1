import Foundation
import GRDB

extension SQLiteStore: StorageMaintenance {
    public func ping() throws {
        try database.read { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func checkpoint() throws {
        _ = try database.checkpoint()
    }

    public func restartLogIfLarge() async throws -> Int? {
        guard database.walBytes > LockerDatabase.walSizeLimit else { return nil }
        let (frames, _) = try await committer.betweenBatches { db in try LockerDatabase.restartWAL(db) }
        return frames
    }
}
