import Foundation
import GRDB
import Testing
@testable import LockerStore

@Suite("Request reads")
struct ReaderTests {
    @Test("reads see every committed write at once, each read is one snapshot, and racing reads reuse a few connections")
    func snapshotsUnderWrites() async throws {
        let storage = TempStorage()
        let database = try await GroupCommitterTests.database(in: storage)
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE pair (a INTEGER, b INTEGER); INSERT INTO pair VALUES (0, 0)") }
        let committer = GroupCommitter(database: database)
        // Writers keep a == b; a read that saw half of a write would see them differ.
        let writes = Task {
            for n in 1...300 {
                try await committer.write { db in try db.execute(sql: "UPDATE pair SET a = ?, b = ?", arguments: [n, n]) }
                // Read-your-writes: a read right after the acknowledgement sees it.
                let seen = try database.read { db in try Int.fetchOne(db, sql: "SELECT a FROM pair") }
                #expect(seen == n)
            }
        }
        let torn = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var bad = 0
                    for _ in 0..<300 {
                        let (a, b) = (try? database.read { db -> (Int, Int) in
                            let a = try Int.fetchOne(db, sql: "SELECT a FROM pair") ?? -1
                            usleep(50)  // let a commit land between the two statements
                            let b = try Int.fetchOne(db, sql: "SELECT b FROM pair") ?? -2
                            return (a, b)
                        }) ?? (-1, -2)
                        if a != b { bad += 1 }
                    }
                    return bad
                }
            }
            return await group.reduce(0, +)
        }
        try await writes.value
        #expect(torn == 0)
        // Connections are kept and reused: never more than the readers racing at once.
        #expect((1...9).contains(database.readerCount))
    }

    @Test("a read cannot write; a read that throws leaves no transaction open and its connection usable")
    func readOnlyAndRecovers() async throws {
        let storage = TempStorage()
        let database = try await GroupCommitterTests.database(in: storage)
        #expect(throws: DatabaseError.self) {
            try database.read { db in try db.execute(sql: "INSERT INTO t (n) VALUES (1)") }
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try database.read { db -> Void in
                _ = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t")
                throw Stop()
            }
        }
        // The same (only) connection still reads, and sees a write made after the failed read.
        try await database.pool.write { db in try db.execute(sql: "INSERT INTO t (n) VALUES (7)") }
        #expect(try database.read { db in try Int.fetchOne(db, sql: "SELECT n FROM t") } == 7)
        #expect(database.readerCount == 1)
    }
}
