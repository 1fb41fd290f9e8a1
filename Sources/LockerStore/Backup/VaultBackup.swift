import Foundation
import GRDB
import LockerCore

/// Backups of the embedded vault (SQLite + `Storage/blobs` + the key ring), taken online while
/// `lockerd` serves, checked without restoring, and restored only into an empty folder and only
/// when the parts belong to one vault. PostgreSQL deployments use PostgreSQL's own tools
/// (README, "Operating Locker").
public enum VaultBackup {
    public typealias Progress = (_ done: Int, _ total: Int) -> Void

    static let databaseName = "locker.sqlite"
    static let keyringName = "keyring.json"
    static let markerName = "vault-id"
    /// Snapshots tried before giving up on a vault that keeps replacing documents under the backup.
    static let attempts = 5

    /// Takes a consistent snapshot into `folder` (new or empty): the database through SQLite's
    /// online backup API (one read transaction, so pushes go on), then every sealed blob the
    /// snapshot references (blobs never change under an id; one removed since the snapshot —
    /// its document was replaced — means a fresh snapshot), the key ring as the vault keeps it,
    /// and last the manifest of hashes. Every file is fsynced before the manifest is written.
    public static func take(layout: StorageLayout, to folder: String, now: Date = Date(), progress: Progress = { _, _ in }) throws -> BackupManifest {
        guard FileManager.default.fileExists(atPath: layout.databasePath) else { throw StoreError("no database at \(layout.databasePath)") }
        guard BackupFile.isAbsentOrEmpty(folder) else { throw StoreError("backup folder \(folder) is not empty; give a new or empty folder") }
        try VaultIdentity.verifyReadOnly(layout: layout)
        try BackupFile.makeFolder(folder + "/blobs")
        let marker = try BackupFile.copy(VaultIdentity.markerPath(layout), to: folder + "/" + markerName, name: markerName)
        let source = try LockerDatabase(path: layout.databasePath, readOnly: true)
        let blobFiles = FileBlobStore(layout: layout)
        var copied = [String: BackupManifest.File]()
        for _ in 0..<attempts {
            let snapshot = try snapshotDatabase(source, into: folder)
            var missing = false
            for (index, id) in snapshot.blobIDs.enumerated() where copied[id] == nil {
                let name = "blobs/\(id.prefix(2))/\(id)"
                try BackupFile.makeFolder(folder + "/blobs/" + id.prefix(2))
                if let file = try BackupFile.copy(try blobFiles.path(of: id), to: folder + "/" + name, name: name) { copied[id] = file } else { missing = true }
                progress(index + 1, snapshot.blobIDs.count)
            }
            if missing { continue }
            for id in Array(copied.keys) where !snapshot.blobIDs.contains(id) {
                try FileManager.default.removeItem(atPath: folder + "/" + (copied.removeValue(forKey: id)?.path ?? ""))
            }
            guard let database = try BackupFile.digest(folder + "/" + databaseName) else { throw StoreError("the database snapshot vanished from \(folder)") }
            // The key ring after the final snapshot: a ring is never older than the keys the snapshot wraps.
            guard let keyring = try BackupFile.copy(layout.keyringPath, to: folder + "/" + keyringName, name: keyringName) else {
                throw StoreError("no keyring at \(layout.keyringPath)")
            }
            let manifest = BackupManifest(format: BackupManifest.currentFormat, vaultID: snapshot.vaultID, createdAt: now,
                                          database: .init(path: databaseName, size: database.size, sha256: database.sha256),
                                          keyring: keyring, vaultMarker: marker, blobs: copied.values.sorted { $0.path < $1.path },
                                          documents: snapshot.documents, auditEntries: snapshot.auditEntries,
                                          auditHeadSeq: snapshot.auditHead.seq, auditHeadHash: snapshot.auditHead.hash)
            try syncFolders(folder)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            try POSIXFile.writeAtomically(Array(try encoder.encode(manifest)), to: folder + "/" + BackupManifest.fileName)
            return manifest
        }
        throw StoreError("documents kept being replaced under the backup (\(attempts) snapshots); try again")
    }

    /// What a database snapshot holds, as the manifest and the blob copy need it.
    struct Snapshot {
        var vaultID: String
        var blobIDs: [String]
        var documents: Int
        var auditEntries: Int
        var auditHead: (seq: Int64, hash: String)
    }

    /// SQLite's online backup of `source` into `folder/locker.sqlite`, made self-contained
    /// (rollback journal, not WAL), then read for what it references.
    static func snapshotDatabase(_ source: LockerDatabase, into folder: String) throws -> Snapshot {
        let path = folder + "/" + databaseName
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let target = try DatabaseQueue(path: path)
        try source.pool.backup(to: target)
        try target.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        let snapshot = try read(target)
        try target.close()
        return snapshot
    }

    static func read(_ database: some DatabaseReader) throws -> Snapshot {
        try database.read { db in
            guard let vaultID = try String.fetchOne(db, sql: "SELECT vaultID FROM vaultIdentity") else {
                throw StoreError("the database records no vault id; start lockerd on it once, then back it up")
            }
            let blobIDs = try String.fetchAll(db, sql: "SELECT blobID FROM documents WHERE blobID NOT IN (SELECT id FROM inlineBlobs) ORDER BY blobID")
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM auditLog ORDER BY seq DESC LIMIT 1")
            return Snapshot(vaultID: vaultID, blobIDs: blobIDs, documents: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents") ?? 0,
                            auditEntries: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0,
                            auditHead: (head?["seq"] ?? 0, Hex.encode([UInt8]((head?["hash"] as Data?) ?? Data()))))
        }
    }

    /// Makes every folder of the backup durable (the files were fsynced as they were written).
    static func syncFolders(_ folder: String) throws {
        let blobs = folder + "/blobs"
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: blobs)) ?? [] { try POSIXFile.fsyncDirectory(blobs + "/" + shard) }
        try POSIXFile.fsyncDirectory(blobs)
        try POSIXFile.fsyncDirectory(folder)
    }
}
