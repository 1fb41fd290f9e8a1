import Crypto
import Dispatch
import Foundation
import LockerCore
import Synchronization

extension Vault {
    /// Wrapped keys per KEK version: citizens' data keys and status-signing keys.
    public func wrapCounts() throws -> WrapCounts {
        try records.wrapCounts()
    }

    /// Rewraps every key not under the primary KEK so that it is, as Vault's transit `rewrap`
    /// does: data keys and signing keys change their wrapping, documents are not touched.
    ///
    /// Works in batches, each its own short transaction, so a server sharing the database keeps
    /// writing between them, and a crash at any moment loses at most the batch in flight: the
    /// next pass starts from whatever is still under an old version. Each update is conditional
    /// on the wrapped bytes it replaces, so a concurrent rekey or another rewrapper is never
    /// overwritten. `progress` gets (done, total) after each batch; `shouldContinue` is asked
    /// before each batch. `maxPerSecond` paces the work (smaller batches, sleeping before each) so a vault
    /// under load gives up only a bounded share of its CPU and write lock.
    public func rewrapAll(
        batchSize: Int = 8192, threads: Int = 2, maxPerSecond: Int? = nil,
        shouldContinue: () -> Bool = { true },
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> RewrapReport {
        try refreshKeyring()
        let ring = keyring
        let target = ring.primaryVersion
        var report = RewrapReport(targetVersion: target, dataKeys: 0, signingKeys: 0, failed: 0)
        try rewrapSigningKeys(ring: ring, report: &report)

        let total = try records.citizenCount(notUnder: target)
        progress(0, total)
        // Pipelined: while one batch's updates commit on the writer queue, the next batch is
        // read and rewrapped on the calling thread(s).
        let writer = DispatchQueue(label: "locker-rewrap-writer")
        let writing = DispatchGroup()
        let outcome = Mutex<(changed: Int, failed: Int, error: (any Error)?)>((0, 0, nil))
        var lastRowID: Int64 = 0
        var seen = 0
        let started = Date()
        // Paced, a batch holds at most a quarter second's worth, so progress moves at least four
        // times a second and the rate never runs ahead of the limit.
        let step = maxPerSecond.map { max(1, min(batchSize, $0 / 4)) } ?? batchSize
        while shouldContinue() {
            let rows = try records.pendingWraps(after: lastRowID, notUnder: target, limit: step)
            guard let last = rows.last else { break }
            lastRowID = last.rowID
            if let maxPerSecond, maxPerSecond > 0 {
                // Wait before the batch, not after: the keys done never exceed the rate allowed
                // for the time spent (a first batch at full speed showed a rate above the limit).
                let due = Double(seen + rows.count) / Double(maxPerSecond) - Date().timeIntervalSince(started)
                if due > 0 { Thread.sleep(forTimeInterval: min(due, 5)) }
            }
            let rewrapped = Self.rewrap(rows, ring: ring, threads: threads)
            writing.wait()
            if let error = outcome.withLock({ $0.error }) { throw error }
            let records = self.records
            writer.async(group: writing) {
                do {
                    let changed = try Self.commit(rows, rewrapped, target: target, records: records)
                    outcome.withLock { $0.changed += changed; $0.failed += rewrapped.count { $0 == nil } }
                } catch {
                    outcome.withLock { $0.error = error }
                }
            }
            seen += rows.count
            progress(min(seen, total), max(total, seen))
        }
        writing.wait()
        let final = outcome.withLock { $0 }
        if let error = final.error { throw error }
        report.dataKeys += final.changed
        report.failed += final.failed
        return report
    }

    /// Stores one batch: each update only if the row still holds the bytes that were rewrapped.
    static func commit(_ rows: [PendingWrap], _ rewrapped: [Data?], target: Int, records: any VaultRecords) throws -> Int {
        let changes = zip(rows, rewrapped).compactMap { row, fresh in fresh.map { (citizenID: row.ownerID, old: row.wrapped, new: $0) } }
        return try records.storeRewrapped(changes, target: target)
    }

    /// Unwraps and rewraps a batch on `threads` threads; nil where a key would not open.
    static func rewrap(_ rows: [PendingWrap], ring: Keyring, threads: Int) -> [Data?] {
        let results = Mutex([Data?](repeating: nil, count: rows.count))
        let chunks = max(1, min(threads, rows.count / 256))
        let chunkSize = (rows.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (chunk * chunkSize)..<min(rows.count, (chunk + 1) * chunkSize)
            var local = [Data?]()
            local.reserveCapacity(range.count)
            let nonces = KeyWrap.nonces(range.count)
            for (row, nonce) in zip(rows[range], nonces) {
                local.append(try? Data(rewrapDataKey(row, ring: ring, nonce: nonce).bytes))
            }
            results.withLock { all in
                for (offset, value) in local.enumerated() { all[range.lowerBound + offset] = value }
            }
        }
        return results.withLock { $0 }
    }

    static func rewrapDataKey(_ row: PendingWrap, ring: Keyring, nonce: AES.GCM.Nonce) throws -> WrappedKey {
        let dataKey = try ring.unwrapDataKey(WrappedKey(kekVersion: row.kekVersion, bytes: [UInt8](row.wrapped)), ownerID: row.ownerID)
        return try ring.wrapDataKey(dataKey, ownerID: row.ownerID, nonce: nonce)
    }

    /// Signing keys are few: one transaction rewraps them all.
    private func rewrapSigningKeys(ring: Keyring, report: inout RewrapReport) throws {
        let target = ring.primaryVersion
        let stale = try records.signingKeys().filter { $0.kekVersion != target }
        guard !stale.isEmpty else { return }
        var fresh = [(old: SigningKeyRecord, wrapped: Data)]()
        for record in stale {
            do {
                let raw = try Self.unwrapSigningKey(record, ring: ring)
                let primary = try ring.decryptionKey(version: target)
                fresh.append((record, Data(try KeyWrap.wrap(raw, under: primary, aad: Self.signingKeyAAD(kid: record.kid, kekVersion: target)))))
            } catch {
                report.failed += 1
            }
        }
        let changed = try records.storeRewrappedSigningKeys(fresh.map { (kid: $0.old.kid, old: $0.old.privateKeyWrapped, new: $0.wrapped) }, target: target)
        report.signingKeys += changed
    }
}
