import Foundation
import LockerServer
import LockerStore
import GRDB

/// `locker-bench status`: signed KYC-VS answers per second, the OTP step excluded — each answer
/// is the work `confirm` does after the OTP checks: find the citizen by keyed mobile hash, open
/// their vaccination certificates' sealed claims, match the name, sign a compact JWS.
/// Runs against a storage folder populated through the real server (bench/kyc.sh does that).
enum StatusBench {
    static func run(arguments: [String], seconds: Double) async throws {
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        }
        guard let storage = value("--storage"), let peopleFile = value("--people") else {
            FileHandle.standardError.write(Data("usage: locker-bench status --storage DIR --people FILE (lines: mobile<TAB>name<TAB>expected status)\n".utf8))
            exit(2)
        }
        let tasks = value("--tasks").flatMap(Int.init) ?? 2
        let people: [(String, String, Int)] = try String(contentsOfFile: peopleFile, encoding: .utf8).split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            return f.count == 3 ? (f[0], f[1], Int(f[2]) ?? -1) : nil
        }
        let vault = try Vault.open(layout: StorageLayout(root: storage))
        let service = StatusService(vault: vault, store: SQLiteStore(vault: vault), issuerURL: "http://127.0.0.1")
        let hashes = people.map { vault.mobileHash($0.0) }
        // Correctness first: every answer must match what was pushed.
        for (i, p) in people.enumerated() where try service.status(mobileHash: hashes[i], name: p.1) != p.2 {
            FileHandle.standardError.write(Data("wrong status for person \(i)\n".utf8))
            exit(1)
        }
        if arguments.contains("--breakdown") { try breakdown(vault: vault, service: service, people: people, hashes: hashes) }
        let deadline = ContinuousClock.now + .seconds(seconds)
        let results = try await withThrowingTaskGroup(of: [Double].self) { group in
            for t in 0..<tasks {
                group.addTask {
                    var latencies = [Double]()
                    var i = t
                    while ContinuousClock.now < deadline && latencies.count < 5_000_000 {
                        let start = ContinuousClock.now
                        let p = people[i % people.count]
                        let status = try service.status(mobileHash: hashes[i % people.count], name: p.1)
                        _ = try service.signedAnswer(status: status, audience: "bench", requestID: "r\(i)", nonce: nil, now: Date())
                        let d = ContinuousClock.now - start
                        latencies.append(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6)
                        i += tasks
                    }
                    return latencies
                }
            }
            var all = [Double]()
            for try await part in group { all += part }
            return all
        }
        let sorted = results.sorted()
        let p50 = sorted[sorted.count / 2], p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        let rate = Double(sorted.count) / seconds
        print(String(format: "{\"answers\": %d, \"seconds\": %.1f, \"tasks\": %d, \"perSecond\": %.0f, \"p50us\": %.1f, \"p99us\": %.1f}", sorted.count, seconds, tasks, rate, p50, p99))
    }

    /// Where one answer's time goes: status lookup, signing, and one bare read (the request
    /// path's `LockerDatabase.read`, then GRDB's pool read for comparison).
    static func breakdown(vault: Vault, service: StatusService, people: [(String, String, Int)], hashes: [Data]) throws {
            let clock = ContinuousClock()
            let n = 2000
            let t0 = clock.now
            for i in 0..<n { _ = try service.status(mobileHash: hashes[i % people.count], name: people[i % people.count].1) }
            let t1 = clock.now
            for i in 0..<n { _ = try service.signedAnswer(status: 2, audience: "bench", requestID: "r\(i)", nonce: nil, now: Date()) }
            let t2 = clock.now
            for i in 0..<n { _ = try vault.database.read { db in try HotQueries.citizen(db, mobileHash: hashes[i % people.count]) } }
            let t3 = clock.now
            for i in 0..<n { _ = try vault.database.pool.read { db in try HotQueries.citizen(db, mobileHash: hashes[i % people.count]) } }
            let t4 = clock.now
            print("status \((t1 - t0) / n)  sign \((t2 - t1) / n)  one read \((t3 - t2) / n)  one GRDB pool read \((t4 - t3) / n)")
    }
}
