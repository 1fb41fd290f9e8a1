import Foundation
import GRDB
import LockerCore
import LockerStore

/// `locker-bench seed-citizens --storage DIR --count N`: adds N citizens (each with a fresh data
/// key wrapped under the primary KEK and a sealed mobile number, exactly as the first push for a
/// number makes them) straight into a vault, in transactions of 10,000, for rotation benchmarks
/// and the rotation crash test. Mobile numbers are +91 7xxxxxxxxx, unused by other tests.
enum SeedCitizens {
    static func run(arguments: [String]) throws {
        guard let i = arguments.firstIndex(of: "--storage"), i + 1 < arguments.count,
              let c = arguments.firstIndex(of: "--count"), c + 1 < arguments.count, let count = Int(arguments[c + 1]), (1...10_000_000).contains(count)
        else {
            FileHandle.standardError.write(Data("usage: locker-bench seed-citizens --storage DIR --count N (1-10000000)\n".utf8))
            exit(2)
        }
        let vault = try Vault.open(layout: StorageLayout(root: arguments[i + 1]))
        let start = Date()
        let existing = try vault.database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM citizens") ?? 0 }
        var made = 0
        while made < count {
            let batch = min(10_000, count - made)
            let first = existing + made
            let records = try (0..<batch).map { n in try vault.makeCitizen(mobile: "+917" + String(format: "%09d", first + n), now: start) }
            try vault.database.pool.write { db in
                for record in records { try record.insert(db) }
            }
            made += batch
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "{\"citizens\": %d, \"seconds\": %.2f, \"kekVersion\": %d}", made, seconds, vault.keyring.primaryVersion))
    }
}
