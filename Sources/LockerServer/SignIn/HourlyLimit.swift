import Foundation
import GRDB
import Hummingbird

/// "At most `limit` rows per key in the last hour", counted in the same write transaction that
/// would add the next row, so concurrent requests cannot slip past it. Over the limit: 429 with
/// `Retry-After` set to when the oldest row in the window leaves it.
enum HourlyLimit {
    static func problem(retryAfter: Int) -> Problem {
        Problem(.tooManyRequests, "rate-limited", "Too many requests", detail: "Too many codes requested; try again later.", headers: [.retryAfter: String(max(1, retryAfter))])
    }

    /// Throws `rate-limited` if `Record`'s rows with `column == value` created in the hour
    /// before `now` already number `limit`. `Record`'s table has a `createdAt` column.
    static func enforce<Record: TableRecord>(_ db: Database, _: Record.Type, column: Column, value: Data, limit: Int, now: Date) throws {
        let createdAt = Column("createdAt")
        let recent = Record.filter(column == value && createdAt > now.addingTimeInterval(-3600))
        guard try recent.fetchCount(db) >= limit else { return }
        let oldest = try Date.fetchOne(db, recent.select(min(createdAt)))
        throw problem(retryAfter: oldest.map { Int($0.addingTimeInterval(3600).timeIntervalSince(now).rounded(.up)) } ?? 3600)
    }
}
