import Foundation
import GRDB
import Testing
@testable import LockerStore

@Suite("Group commit")
struct GroupCommitterTests {
    struct Refused: Error {}

    /// A database in `storage` with one table `t (n INTEGER PRIMARY KEY)`.
    static func database(in storage: TempStorage) async throws -> LockerDatabase {
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        let database = try LockerDatabase(path: storage.path + "/locker.sqlite")
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY)") }
        return database
    }

    @Test("concurrent jobs share batches; a job that throws after writing leaves no trace and does not undo the others")
    func failingJobIsolated() async throws {
        let storage = TempStorage()
        let database = try await Self.database(in: storage)
        let committer = GroupCommitter(database: database, maxBatch: 16)
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<200 {
                group.addTask {
                    do {
                        let echoed = try await committer.write { db -> Int in
                            try db.execute(sql: "INSERT INTO t (n) VALUES (?)", arguments: [n])
                            if n % 7 == 0 { throw Refused() }
                            return n
                        }
                        return (n, echoed == n && n % 7 != 0)
                    } catch {
                        if !(error is Refused) { print("job \(n): \(error)") }
                        return (n, n % 7 == 0 && error is Refused)
                    }
                }
            }
            var out = [Int: Bool]()
            for await (n, ok) in group { out[n] = ok }
            return out
        }
        #expect(results.count == 200)
        #expect(results.values.allSatisfy { $0 }, "a job got another job's result or the wrong error")
        // Reopened from disk: exactly the jobs that succeeded.
        let reopened = try LockerDatabase(path: storage.path + "/locker.sqlite")
        let stored = try reopened.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t ORDER BY n") }
        #expect(stored == (0..<200).filter { $0 % 7 != 0 })
    }

    @Test("a job's own nested savepoint still works inside the batch")
    func nestedSavepoint() async throws {
        let storage = TempStorage()
        let database = try await Self.database(in: storage)
        let committer = GroupCommitter(database: database)
        try await committer.write { db in
            try db.execute(sql: "INSERT INTO t (n) VALUES (1)")
            try? db.inSavepoint {
                try db.execute(sql: "INSERT INTO t (n) VALUES (2)")
                throw Refused()
            }
        }
        #expect(try database.read { db in try Int.fetchAll(db, sql: "SELECT n FROM t") } == [1])
    }

    @Test("under writes that never stop, the writer restarts the WAL between batches; nothing is lost")
    func walRestart() async throws {
        let storage = TempStorage()
        try FileManager.default.createDirectory(atPath: storage.path, withIntermediateDirectories: true)
        let database = try LockerDatabase(path: storage.path + "/locker.sqlite", backgroundCheckpoints: true)
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE t (n INTEGER PRIMARY KEY, pad BLOB)") }
        let committer = GroupCommitter(database: database)
        let pad = Data(repeating: 7, count: 3000)
        for n in 0..<300 {
            try await committer.write { db in try db.execute(sql: "INSERT INTO t (n, pad) VALUES (?, ?)", arguments: [n, pad]) }
        }
        let grown = try database.checkpoint()
        #expect(grown.walFrames >= 300, "autocheckpoint is off, so the WAL holds every commit")
        // Writes racing the restart still all land, before or after it.
        async let more: Void = {
            for n in 300..<400 {
                try await committer.write { db in try db.execute(sql: "INSERT INTO t (n, pad) VALUES (?, ?)", arguments: [n, pad]) }
            }
        }()
        let restarted = try await committer.betweenBatches { db in try LockerDatabase.restartWAL(db) }
        #expect(restarted.walFrames == restarted.checkpointed, "RESTART copies every frame")
        try await more
        try await committer.write { db in try db.execute(sql: "INSERT INTO t (n, pad) VALUES (400, NULL)") }
        let after = try database.checkpoint()
        #expect(after.walFrames < grown.walFrames, "the WAL started over instead of growing on")
        let reopened = try LockerDatabase(path: storage.path + "/locker.sqlite")
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 401)
    }
}
