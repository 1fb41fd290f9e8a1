import Crypto
import Foundation
import GRDB
import LockerCore
import PostgresNIO

/// Copies an embedded vault (SQLite database, blob files, key ring) into an empty PostgreSQL
/// database for a deployment of several nodes, then opens every copied document there. The
/// embedded vault is only read. Resumable: every batch is one transaction that skips rows
/// already present, so a run cut short is finished by running it again.
public final class PostgresMigration {
    /// Tables in an order that satisfies their references; the rest of the embedded database
    /// (inline blobs, vault identity, migrations) is carried differently or not at all.
    static let tables = ["issuers", "verifiers", "partners", "citizens", "signingKeys", "adminCredentials", "documents",
                         "shares", "sessions", "otpChallenges", "kycRequests", "partnerConnections", "partnerTokens", "pullIssuers", "pulledDocuments", "pushURINonces", "auditArchives", "auditLog"]
    /// Rows per transaction; documents carry their sealed blobs, so they go fewer at a time.
    static let batchRows = 400
    static let documentBatch = 25

    let source: Vault
    let pool: PostgresPool
    let rootKey: any RootKeyWrapper
    /// The object store the deployment keeps blobs above the inline limit in; nil: all in the database.
    let blobFiles: (any BlobFiles)?

    public typealias Progress = (_ phase: String, _ done: Int, _ total: Int) -> Void

    /// `blobFiles`: with an object store, blobs above the inline limit are PUT there (each
    /// acknowledged before its document row commits) instead of copied into `blobChunks`.
    public init(source: Vault, pool: PostgresPool, rootKey: any RootKeyWrapper, blobFiles: (any BlobFiles)? = nil) {
        self.source = source
        self.pool = pool
        self.rootKey = rootKey
        self.blobFiles = blobFiles
    }

    public func run(progress: Progress) throws -> MigrationReport {
        guard let vaultID = source.vaultID else { throw StoreError("the embedded vault has no vault id; start lockerd on it once first") }
        try pool.check()
        try PostgresSchema.migrate(pool)
        var report = MigrationReport(vaultID: vaultID)
        report.resumed = try installKeyring(vaultID: vaultID)
        for table in Self.tables {
            let columns = try targetColumns(table)
            let total = try source.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            var copied = 0
            var seen = 0
            var cursor: Int64 = 0
            progress(table, 0, total)
            while true {
                let rows = try source.database.read { db in
                    try Row.fetchAll(db, sql: "SELECT rowid AS locker_rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                     arguments: [cursor, table == "documents" ? Self.documentBatch : Self.batchRows])
                }
                guard let last = rows.last else { break }
                cursor = last["locker_rowid"]
                let (written, bytes) = try copy(rows, table: table, columns: columns)
                copied += written
                report.blobBytes += bytes
                seen += rows.count
                progress(table, seen, total)
            }
            let target = try pool.withConnection { c in try c.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)")).first!.decode(0, as: Int.self) }
            report.tables.append(.init(name: table, source: total, target: target, copied: copied))
        }
        _ = try pool.withConnection { c in
            // The deployment's chain continues from the copied chain's last entry.
            try c.execute("""
                UPDATE auditHead SET seq = m.seq, hash = m.hash
                FROM (SELECT seq, hash FROM auditLog ORDER BY seq DESC LIMIT 1) m WHERE auditHead.id = 1 AND auditHead.seq < m.seq
                """)
        }
        let target = try Vault.open(postgres: pool, rootKey: rootKey, layout: source.layout, blobFiles: blobFiles)
        let verification = try target.verifyKeys(deep: true) { done, total in progress("verify", done, total) }
        report.documentsVerified = verification.documents
        report.failures = verification.failures
        for table in report.tables where table.target < table.source {
            report.failures.append("\(table.name): \(table.source) rows in the embedded vault, \(table.target) in PostgreSQL")
        }
        report.complete = report.failures.isEmpty
        let documents = report.tables.first { $0.name == "documents" }?.target ?? 0
        try target.records.appendAudit(AuditEntry(at: Date(), action: "vault.migrated", actor: "admin", detail: [
            "from": "embedded", "vaultID": vaultID, "documents": String(documents), "complete": String(report.complete),
        ]))
        return report
    }

    /// Puts the embedded key ring in the database, sealed under the root key. A database that
    /// already holds this vault's ring is a copy being resumed; another vault's is refused.
    private func installKeyring(vaultID: String) throws -> Bool {
        let provider = PostgresKeyProvider(pool: pool, rootKey: rootKey, notices: nil)
        guard provider.exists() else {
            if try pool.withConnection({ c in try c.query("SELECT 1 FROM citizens LIMIT 1").isEmpty == false }) {
                throw StoreError("the database already holds citizens but no key ring; migrate into an empty database")
            }
            if try provider.install(source.keyring) { return false }
            return try installKeyring(vaultID: vaultID)  // another process stored a ring meanwhile
        }
        let existing = try provider.load(createIfMissing: false)
        guard existing.vaultID == vaultID else {
            throw StoreError("the database already holds vault \(existing.vaultID ?? "?"), not \(vaultID); migrate into an empty database (or rerun a copy of this same vault)")
        }
        // The embedded ring is the truth until the nodes move over (it may have rotated since).
        try provider.save(source.keyring)
        return true
    }

    /// PostgreSQL's column types for `table` (names folded to lower case).
    private func targetColumns(_ table: String) throws -> [String: String] {
        let rows = try pool.withConnection { c in
            try c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table.lowercased())")
        }
        guard !rows.isEmpty else { throw StoreError("PostgreSQL has no table \(table)") }
        return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(0, as: String.self), try $0.decode(1, as: String.self)) })
    }

    /// Writes one batch in one transaction, skipping rows already there; documents bring their
    /// sealed blobs into the same transaction. Returns rows written and blob bytes.
    private func copy(_ rows: [Row], table: String, columns: [String: String]) throws -> (Int, Int64) {
        let names = Array(rows[0].columnNames.filter { $0 != "locker_rowid" })
        for name in names where columns[name.lowercased()] == nil {
            throw StoreError("column \(table).\(name) of the embedded database has no place in PostgreSQL")
        }
        return try pool.transaction { c in
            guard table == "documents" else {
                return (try insert(rows, into: table, names: names, columns: columns, suffix: "ON CONFLICT DO NOTHING", connection: c), 0)
            }
            // A document copied by an earlier run keeps its blob; a new one brings it along, and
            // any conflict now is an error that rolls the batch back rather than orphaning chunks.
            let ids: [String] = rows.map { $0["id"] }
            let present = Set(try c.query("SELECT id FROM documents WHERE id = ANY(\(ids))").map { try $0.decode(0, as: String.self) })
            let missing = rows.filter { !present.contains($0["id"] as String) }
            guard !missing.isEmpty else { return (0, 0) }
            var bytes: Int64 = 0
            for row in missing {
                let blob = try readBlob(row["blobID"])
                if let blobFiles, blob.count > Vault.inlineBlobLimit {
                    let writer = try blobFiles.create(id: row["blobID"])
                    try blob.withUnsafeBytes { try writer.write($0) }
                    try writer.commit()
                } else {
                    try PostgresBlobStore.insert(c, id: row["blobID"], bytes: blob)
                }
                bytes += Int64(blob.count)
            }
            return (try insert(missing, into: table, names: names, columns: columns, suffix: "", connection: c), bytes)
        }
    }

    /// One multi-row INSERT of `rows` (their `names` columns, converted to PostgreSQL's types).
    private func insert(_ rows: [Row], into table: String, names: [String], columns: [String: String], suffix: String,
                        connection c: PGConnection) throws -> Int {
        var bindings = PostgresBindings(capacity: rows.count * names.count)
        var tuples: [String] = []
        for row in rows {
            let start = bindings.count
            for name in names { try Self.bind(row[name] as DatabaseValue, as: columns[name.lowercased()]!, column: "\(table).\(name)", into: &bindings) }
            tuples.append("(" + (start..<bindings.count).map { "$\($0 + 1)" }.joined(separator: ", ") + ")")
        }
        let sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) \(suffix)"
        return try c.execute(PostgresQuery(unsafeSQL: sql, binds: bindings))
    }

    private func readBlob(_ id: String) throws -> Data {
        let reader = try source.blobs.open(id, plaintextSize: nil)
        defer { reader.close() }
        var data = Data(count: reader.size)
        var offset = 0
        try data.withUnsafeMutableBytes { buffer in
            while offset < reader.size {
                let n = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]), count: reader.size - offset, at: offset)
                guard n > 0 else { throw StoreError("blob \(id) ends early in the embedded vault") }
                offset += n
            }
        }
        return data
    }

    /// One SQLite value as the PostgreSQL column's type.
    static func bind(_ value: DatabaseValue, as type: String, column: String, into bindings: inout PostgresBindings) throws {
        switch (value.storage, type) {
        case (.null, _): bindings.appendNull()
        case (.blob(let data), "bytea"): try bindings.append(data)
        case (.string(let text), "bytea"): try bindings.append(Data(text.utf8))
        case (.string(let text), "text"): try bindings.append(text)
        case (.int64(let n), "text"): try bindings.append(String(n))
        case (.int64(let n), "bigint"), (.int64(let n), "integer"): try bindings.append(n)
        case (.int64(let n), "boolean"): try bindings.append(n != 0)
        case (_, "timestamp with time zone"):
            guard let date = Date.fromDatabaseValue(value) else { throw StoreError("\(column): \(value) is not a timestamp") }
            try bindings.append(date)
        default: throw StoreError("\(column): cannot copy \(value) into a \(type) column")
        }
    }
}
