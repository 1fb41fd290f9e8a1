import Foundation
import GRDB
import Synchronization

/// The SQLite metadata database: one WAL `DatabasePool`, opened once, migrated on open.
///
/// `synchronous = FULL` so that a committed transaction survives power loss, not just a crash:
/// a push acknowledged with 2xx must be there after `kill -9` and after a reboot.
public final class LockerDatabase: Sendable {
    /// The pool every repository shares.
    public let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) and migrates the database at `path`. A server passes
    /// `backgroundCheckpoints`: its commits then never copy the WAL back into the database
    /// themselves (a stall of tens of milliseconds for every request waiting on that commit);
    /// `checkpoint()` does it, from its own connection, off the request path.
    public init(path: String, readOnly: Bool = false, backgroundCheckpoints: Bool = false) throws {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = Self.busyMode
        config.prepareDatabase { db in
            if !readOnly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
                if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
                // When the WAL restarts from its beginning, cut the file back to this size.
                try db.execute(sql: "PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            }
        }
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw StoreError("cannot open database \(path): \(Self.describe(error))")
        }
        if !readOnly {
            // GRDB's WAL set-up runs after `prepareDatabase` and sets `synchronous = NORMAL` on
            // the writer, under which commits are not fsynced: acknowledged pushes were lost on
            // power loss. Set it again on the one writing connection, and read it back.
            let mode = try pool.writeWithoutTransaction { db -> Int in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            }
            guard mode == Self.synchronousFull else {
                throw StoreError("database \(path) refuses synchronous = FULL (reads back \(mode)); commits would not be durable")
            }
        }
        if !readOnly {
            do {
                try Self.migrator.migrate(pool)
            } catch {
                throw StoreError("cannot migrate database \(path): \(Self.describe(error))")
            }
        }
    }

    /// A connection of its own for checkpoints, opened on first use.
    private let checkpointer = Mutex<DatabaseQueue?>(nil)

    /// Read-only connections for `read`, kept between reads; one is opened whenever every
    /// kept one is in use, so there are never more than threads reading at once.
    private let readers = Mutex<[DatabaseQueue]>([])

    /// A read that finishes without suspending, in one deferred transaction (a consistent
    /// snapshot) on a read-only connection of its own. Request tasks read through this, never
    /// through GRDB's `async` read: an async read can hold a pooled connection while it waits
    /// for an executor thread, and a synchronous read on that thread waiting for a connection
    /// then deadlocks the server (seen under load with 2 executor threads). This read never
    /// waits for a connection at all.
    ///
    /// Not `pool.read`: on every call that takes a pool slot through a barrier queue, a
    /// semaphore and a lock, and switches the connection to `query_only` and back (measured: a
    /// twentieth of a 4 KB push, and more than the queries it wrapped).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try readers.withLock { $0.popLast() } ?? openReader()
        defer { readers.withLock { $0.append(reader) } }
        return try reader.inDatabase { db in
            try db.cachedStatement(sql: "BEGIN DEFERRED TRANSACTION").execute()
            defer { try? db.cachedStatement(sql: "COMMIT").execute() }
            return try body(db)
        }
    }

    /// How many read connections `read` has open (for tests).
    var readerCount: Int { readers.withLock { $0.count } }

    private func openReader() throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = Self.busyMode
        return try DatabaseQueue(path: path, configuration: config)
    }

    /// Another process (the CLI rewrapping keys, or a second lockerd) may hold the write lock
    /// for a few milliseconds. SQLite's own timeout handler sleeps in growing steps (up to
    /// 100 ms), long after the lock is free; polling every 0.2 ms, then every 1 ms, takes the
    /// lock as soon as it is released. Gives up after about 10 s.
    private static let busyMode = Database.BusyMode.callback { tries in
        usleep(tries < 200 ? 200 : 1000)
        return tries < 10_000
    }

    /// Copies committed WAL frames into the database file (PASSIVE: never blocks a writer or a
    /// reader). Returns the number of frames in the WAL and how many were checkpointed.
    @discardableResult
    public func checkpoint() throws -> (walFrames: Int, checkpointed: Int) {
        let queue = try checkpointer.withLock { queue -> DatabaseQueue in
            if let queue { return queue }
            var config = Configuration()
            config.busyMode = .timeout(1)
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let fresh = try DatabaseQueue(path: path, configuration: config)
            queue = fresh
            return fresh
        }
        return try queue.writeWithoutTransaction { db in try Self.walCheckpoint(db, mode: "PASSIVE") }
    }

    /// `PRAGMA synchronous` value of FULL: every commit fsyncs the WAL before it returns.
    public static let synchronousFull = 2

    /// `PRAGMA synchronous` as it stands on every connection that writes: the pool's writer
    /// and, once opened, the checkpointer. Tests read it back; libraries override settings.
    public func writingConnectionsSynchronous() throws -> [String: Int] {
        var modes = ["writer": try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }]
        try checkpoint()
        if let queue = checkpointer.withLock({ $0 }) {
            modes["checkpointer"] = try queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        }
        return modes
    }

    /// Past this many bytes of WAL, the writer restarts it (`restartWAL`).
    public static let walSizeLimit = 64 << 20

    /// Size of the WAL file now (0 if there is none).
    public var walBytes: Int {
        var info = stat()
        return stat(path + "-wal", &info) == 0 ? Int(info.st_size) : 0
    }

    /// Makes the next write start the WAL from its beginning: copies what the background
    /// PASSIVE checkpoints have not yet copied, waits for readers still on old frames, and
    /// resets. Run it on the writer's connection between transactions (`GroupCommitter.
    /// betweenBatches`). Without it a server under constant writes never lets a PASSIVE
    /// checkpoint catch up, and the WAL grew by about 100 MB/s under 4 KB pushes (measured),
    /// making every append allocate fresh page cache and every read search a longer WAL index.
    public static func restartWAL(_ db: Database) throws -> (walFrames: Int, checkpointed: Int) {
        try walCheckpoint(db, mode: "RESTART")
    }

    /// `PRAGMA wal_checkpoint(mode)`: frames in the WAL and frames copied back.
    private static func walCheckpoint(_ db: Database, mode: String) throws -> (walFrames: Int, checkpointed: Int) {
        let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(\(mode))")
        return (row?[1] ?? 0, row?[2] ?? 0)
    }

    /// Rows per KEK version in a table of wrapped keys (`citizens` or `signingKeys`).
    static func countByKEKVersion(_ db: Database, table: String) throws -> [Int: Int] {
        let rows = try Row.fetchAll(db, sql: "SELECT kekVersion, COUNT(*) AS n FROM \(table) GROUP BY kekVersion")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["kekVersion"] as Int, $0["n"] as Int) })
    }

    static func describe(_ error: any Error) -> String {
        if let dbError = error as? DatabaseError {
            return dbError.message ?? "SQLite error \(dbError.resultCode.rawValue)"
        }
        return "\(type(of: error))"
    }

}
