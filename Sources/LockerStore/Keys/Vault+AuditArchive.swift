import Crypto
import Foundation
import LockerCore

/// `locker audit archive`: old audit entries moved out of the live database into sealed files
/// (AES-256-GCM under a key derived from the vault's index key, bound to the vault id and the
/// entries' range), so the live log stays bounded while `audit verify` still walks the whole
/// chain: each file's SHA-256 as recorded, its seal, every entry's hash, and the joins between
/// files and into the live log.
extension Vault {
    static let archiveMagic = Array("LOCKER-AUDIT-ARCHIVE-1\n".utf8)

    struct ArchivePayload: Codable {
        var vaultID: String
        var entries: [AuditRecord]
    }

    var archiveKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: keyring.indexKey, info: Array("locker-audit-archive-v1".utf8), outputByteCount: 32)
    }

    static func archiveContext(vaultID: String, first: Int64, last: Int64) -> [UInt8] {
        Array("locker-audit-archive-v1|\(vaultID)|\(first)|\(last)".utf8)
    }

    /// Moves the live entries made before `before` (all but the newest entry, which the chain
    /// continues from) into one sealed file in `folder`; nil when there is nothing to move. The
    /// entries are checked before they are moved, the file is durable before the database
    /// forgets them, and the move is itself an audit entry.
    public func archiveAudit(before: Date, to folder: String, now: Date = Date()) throws -> AuditArchiveRecord? {
        guard let vaultID else { throw StoreError("the vault has no id yet; start lockerd on it once") }
        guard let range = try records.auditRange(before: before), let newest = try records.lastAuditEntry() else { return nil }
        let last = min(range.last, newest.seq - 1)
        guard last >= range.first else { return nil }
        let prevHash = try records.auditArchives().last?.lastHash ?? Data(count: 32)
        let entries = try records.auditEntries(from: range.first, through: last)
        if let broken = Self.firstBroken(entries, from: range.first, prevHash: prevHash) {
            throw StoreError("audit log broken at entry \(broken); nothing archived (run locker audit verify)")
        }
        guard let end = entries.last?.hash, entries.count == Int(last - range.first + 1) else { throw StoreError("audit entries \(range.first)-\(last) are not all there; nothing archived") }
        let payload = try JSONEncoder().encode(ArchivePayload(vaultID: vaultID, entries: entries))
        let sealed = try AES.GCM.seal(payload, using: archiveKey, authenticating: Self.archiveContext(vaultID: vaultID, first: range.first, last: last))
        guard let combined = sealed.combined else { throw StoreError("cannot seal the audit archive") }
        let bytes = Self.archiveMagic + Array(combined)
        let directory = URL(fileURLWithPath: folder).standardizedFileURL.path
        try BackupFile.makeFolder(directory)
        let path = "\(directory)/audit-\(range.first)-\(last).sealed"
        guard !FileManager.default.fileExists(atPath: path) else { throw StoreError("\(path) already exists; archive into another folder") }
        try POSIXFile.writeAtomically(bytes, to: path)
        let record = AuditArchiveRecord(firstSeq: range.first, lastSeq: last, prevHash: prevHash, lastHash: end, entries: entries.count, path: path,
                                        fileSHA256: Data(SHA256.hash(data: bytes)), createdAt: now)
        try records.recordAuditArchive(record, audit: AuditEntry(at: now, action: "admin.audit-archived", actor: "admin", detail: [
            "firstSeq": String(range.first), "lastSeq": String(last), "entries": String(entries.count), "file": (path as NSString).lastPathComponent,
        ]))
        return record
    }

    /// Walks every archive (in `folder` if given, else where each was written); returns the
    /// entries walked and what is wrong, empty when the archived chain is whole.
    public func verifyAuditArchives(folder: String? = nil) throws -> (entries: Int, problems: [String]) {
        var prevHash = Data(count: 32)
        var expected: Int64 = 1
        var count = 0
        var problems = [String]()
        for archive in try records.auditArchives() {
            let name = (archive.path as NSString).lastPathComponent
            if archive.firstSeq != expected || archive.prevHash != prevHash { problems.append("\(name) does not follow the archive before it") }
            do {
                let entries = try openArchive(archive, folder: folder)
                if let broken = Self.firstBroken(entries, from: archive.firstSeq, prevHash: archive.prevHash) {
                    problems.append("\(name): entry \(broken) is edited, removed or out of order")
                } else if entries.last?.hash != archive.lastHash || entries.count != archive.entries {
                    problems.append("\(name) does not end at entry \(archive.lastSeq) with the recorded hash")
                }
                count += entries.count
            } catch let error as StoreError {
                problems.append(error.description)
            }
            prevHash = archive.lastHash
            expected = archive.lastSeq + 1
        }
        return (count, problems)
    }

    /// An archived entry's hash (for a checkpoint older than the live log), nil if not archived.
    func archivedAuditHash(seq: Int64) throws -> Data? {
        guard let archive = try records.auditArchives().first(where: { $0.firstSeq <= seq && seq <= $0.lastSeq }) else { return nil }
        // From the file, never from the row alone: a forged row must not vouch for a checkpoint.
        return try openArchive(archive, folder: nil).first { $0.seq == seq }?.hash
    }

    func openArchive(_ archive: AuditArchiveRecord, folder: String?) throws -> [AuditRecord] {
        let name = (archive.path as NSString).lastPathComponent
        let path = folder.map { "\($0)/\(name)" } ?? archive.path
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError("audit archive \(path) is missing (give --archives DIR if it moved)") }
        guard Data(SHA256.hash(data: data)) == archive.fileSHA256 else { throw StoreError("audit archive \(path) was changed (its SHA-256 differs from the one recorded)") }
        let bytes = [UInt8](data)
        guard let vaultID, bytes.starts(with: Self.archiveMagic),
              let box = try? AES.GCM.SealedBox(combined: bytes[Self.archiveMagic.count...]),
              let plain = try? AES.GCM.open(box, using: archiveKey, authenticating: Self.archiveContext(vaultID: vaultID, first: archive.firstSeq, last: archive.lastSeq)),
              let payload = try? JSONDecoder().decode(ArchivePayload.self, from: plain), payload.vaultID == vaultID else {
            throw StoreError("audit archive \(path) does not open with this vault's keys")
        }
        return payload.entries
    }

    /// The first entry of `entries` that does not follow from its predecessor, nil if all do.
    static func firstBroken(_ entries: [AuditRecord], from first: Int64, prevHash: Data) -> Int64? {
        var prev = prevHash
        var expected = first
        for r in entries {
            guard let seq = r.seq, seq == expected, r.prevHash == prev,
                  AuditRecord.chainHash(seq: seq, at: r.at, action: r.action, actor: r.actor, citizenID: r.citizenID, documentID: r.documentID,
                                        detail: r.detail, prevHash: r.prevHash) == r.hash else { return r.seq ?? expected }
            prev = r.hash
            expected = seq + 1
        }
        return nil
    }
}
