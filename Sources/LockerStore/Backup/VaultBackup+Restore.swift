import Foundation
import GRDB
import LockerCore

extension VaultBackup {
    /// Checks a backup without restoring it: the manifest, every file's size and SHA-256, the
    /// snapshot's integrity, that the key ring and the database belong to the same vault, that
    /// every document's sealed blob is there, and the audit chain.
    public static func verify(_ folder: String, progress: Progress = { _, _ in }) throws -> BackupCheck {
        let manifest = try readManifest(folder)
        guard manifest.database.path == databaseName, manifest.keyring.path == keyringName, manifest.vaultMarker.map({ $0.path == markerName }) ?? true else {
            throw StoreError("\(folder)/\(BackupManifest.fileName) names files other than the backup's own")
        }
        var check = BackupCheck(manifest: manifest, filesChecked: 0, bytesChecked: 0, auditEntries: 0, problems: [])
        let files = manifest.files
        for (index, file) in files.enumerated() {
            progress(index + 1, files.count)
            let isBlob = manifest.blobs.contains(file)
            guard safe(file.path), !isBlob || blobPath(file.path) else { check.problems.append("manifest names an unsafe path \(file.path.debugDescription)"); continue }
            guard let found = try BackupFile.digest(folder + "/" + file.path) else { check.problems.append("\(file.path) is missing"); continue }
            if found.size != file.size || found.sha256 != file.sha256 { check.problems.append("\(file.path) differs from the manifest (changed or damaged)") }
            check.filesChecked += 1
            check.bytesChecked += found.size
        }
        guard check.problems.isEmpty else { return check }
        let keyring: Keyring
        do {
            keyring = try FileKeyProvider(path: folder + "/" + keyringName).load(createIfMissing: false)
        } catch let error as StoreError {
            check.problems.append(error.description)
            return check
        }
        if keyring.vaultID != manifest.vaultID {
            check.problems.append("the key ring belongs to vault \(keyring.vaultID ?? "(none)"), the backup to vault \(manifest.vaultID)")
            return check
        }
        do {
            _ = try VaultIdentity.verify(databasePath: folder + "/" + databaseName, keyring: keyring)
        } catch let error as StoreError {
            check.problems.append(error.description)
            return check
        }
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: folder + "/" + databaseName, configuration: config)
        defer { try? queue.close() }
        let integrity = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        if integrity != ["ok"] { check.problems.append("database snapshot fails SQLite's integrity check: \(integrity.prefix(3).joined(separator: "; "))") }
        let snapshot = try read(queue)
        let listed = Set(manifest.blobs.map { String($0.path.split(separator: "/").last ?? "") })
        let absent = snapshot.blobIDs.filter { !listed.contains($0) }
        if !absent.isEmpty { check.problems.append("\(absent.count) documents' sealed blobs are not in the backup") }
        if snapshot.vaultID != manifest.vaultID { check.problems.append("the database belongs to vault \(snapshot.vaultID), the manifest to \(manifest.vaultID)") }
        let broken = try queue.read { db in try AuditLog.firstBrokenEntry(db) }
        if let broken { check.problems.append("audit log broken at entry \(broken)") }
        if snapshot.auditHead.seq != manifest.auditHeadSeq || snapshot.auditHead.hash != manifest.auditHeadHash {
            check.problems.append("the audit log does not end at the manifest's entry \(manifest.auditHeadSeq)")
        }
        check.auditEntries = snapshot.auditEntries
        return check
    }

    /// Restores a backup into `storage`, which must not exist or be empty. The backup is
    /// verified first (a foreign key ring, a changed file or a missing blob refuses it, with
    /// nothing written); then the files are put in place and fsynced, and the restored vault
    /// is opened and checked: every key unwraps and every document opens (`keys verify --deep`),
    /// and the audit chain is intact.
    public static func restore(from folder: String, to storage: String, progress: Progress = { _, _ in }) throws -> RestoreReport {
        guard BackupFile.isAbsentOrEmpty(storage) else { throw StoreError("restore target \(storage) is not empty; restore into a new or empty folder") }
        let check = try verify(folder)
        guard check.intact else { throw StoreError("backup \(folder) does not verify: \(check.problems.joined(separator: "; "))") }
        let manifest = check.manifest
        let layout = StorageLayout(root: storage)
        try layout.prepare()
        guard try BackupFile.copy(folder + "/" + databaseName, to: layout.databasePath, name: databaseName) != nil,
              try BackupFile.copy(folder + "/" + keyringName, to: layout.keyringPath, name: keyringName) != nil else {
            throw StoreError("backup \(folder) lost files while being restored")
        }
        if manifest.vaultMarker != nil { _ = try BackupFile.copy(folder + "/" + markerName, to: VaultIdentity.markerPath(layout), name: markerName) }
        for (index, file) in manifest.blobs.enumerated() {
            guard try BackupFile.copy(folder + "/" + file.path, to: layout.root + "/" + file.path, name: file.path) != nil else {
                throw StoreError("backup \(folder) lost \(file.path) while being restored")
            }
            progress(index + 1, manifest.blobs.count)
        }
        for shard in Set(manifest.blobs.map { String($0.path.split(separator: "/")[1]) }) { try POSIXFile.fsyncDirectory(layout.blobDirectory + "/" + shard) }
        for directory in [layout.blobDirectory, layout.databaseDirectory, layout.keyDirectory, layout.root] { try POSIXFile.fsyncDirectory(directory) }
        let vault = try Vault.open(layout: layout)
        let keys = try vault.verifyKeys(deep: true)
        let (entries, broken) = try vault.database.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM auditLog") ?? 0, try AuditLog.firstBrokenEntry(db))
        }
        return RestoreReport(vaultID: manifest.vaultID, storage: layout.root, documents: manifest.documents, blobs: manifest.blobs.count,
                             keys: keys, auditEntries: entries, auditFirstBroken: broken)
    }

    static func readManifest(_ folder: String) throws -> BackupManifest {
        let path = folder + "/" + BackupManifest.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError("no \(BackupManifest.fileName) in \(folder): not a backup, or one that did not finish")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let manifest = try? decoder.decode(BackupManifest.self, from: data) else { throw StoreError("\(path) is not a valid backup manifest") }
        guard manifest.format == BackupManifest.currentFormat else { throw StoreError("\(path): backup format \(manifest.format) is not one this locker reads") }
        return manifest
    }

    /// `blobs/XX/ID` with a blob id of ours in its shard.
    static func blobPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "blobs" && Validate.localID(String(parts[2])) && parts[1] == parts[2].prefix(2)
    }

    /// A manifest path that stays inside the backup folder.
    static func safe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..") && path.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }
}
