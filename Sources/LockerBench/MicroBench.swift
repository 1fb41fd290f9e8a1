import Foundation
import LockerCore
import LockerServer

/// `locker-bench json | timestamp | multipart`: each hand-written replacement of a library
/// call measured against that call, in the same process, so its reason stays on record
/// (`bench/micro.sh` runs all three). Each line: the operation, ours and the library's µs per
/// operation, and the ratio library/ours (above 1: ours is faster).
enum MicroBench {
    static func run(_ which: String, seconds: Double) throws {
        switch which {
        case "json": try json(seconds: seconds)
        case "timestamp": try timestamp(seconds: seconds)
        case "multipart": try multipart(seconds: seconds)
        default: throw BenchUsage()
        }
    }

    struct BenchUsage: Error {}

    /// Runs `body` for about `seconds` (after a short warm-up) and returns µs per call.
    static func timePerCall(seconds: Double, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<200 { try body() }
        var calls = 0
        let clock = ContinuousClock()
        let start = clock.now
        var elapsed = Duration.zero
        while elapsed < .milliseconds(Int(seconds * 1000)) {
            for _ in 0..<100 { try body() }
            calls += 100
            elapsed = clock.now - start
        }
        let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return secs / Double(calls) * 1e6
    }

    static func report(_ op: String, ours: Double, library: Double, libraryName: String) {
        let line: [String: Any] = ["op": op, "oursUs": (ours * 1000).rounded() / 1000, "libraryUs": (library * 1000).rounded() / 1000,
                                   "library": libraryName, "ratio": (library / ours * 100).rounded() / 100]
        print(String(decoding: try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
    }

    /// An audit entry's detail (what every durable request writes): `JSONText.object` against
    /// `JSONEncoder` and `JSONSerialization` with the same sorted keys.
    static func json(seconds: Double) throws {
        let detail = ["share": "0193a0b1c2d3e4f5a6b7c8d9e0f1a2b3", "label": "IRCTC booking", "client": "127.0.0.1",
                      "userAgent": "Mozilla/5.0 (Linux; Android 10) Chrome/120", "scope": "status", "use": "one of 5"]
        let ours = timePerCall(seconds: seconds) { precondition(!JSONText.object(detail).isEmpty) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let viaEncoder = try timePerCall(seconds: seconds) { let data = try encoder.encode(detail); precondition(!data.isEmpty) }
        let viaSerialization = try timePerCall(seconds: seconds) {
            let data = try JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes])
            precondition(!data.isEmpty)
        }
        report("audit detail, 6 keys", ours: ours, library: viaEncoder, libraryName: "JSONEncoder")
        report("audit detail, 6 keys", ours: ours, library: viaSerialization, libraryName: "JSONSerialization")
    }

    /// A stored date as SQLite text (every hot row holds two or three): ours against
    /// Foundation's `DateFormatter` and `Date.ISO8601FormatStyle`.
    static func timestamp(seconds: Double) throws {
        let text = "2026-11-23 12:34:56.789"
        let bytes = Array(text.utf8)
        let ours = timePerCall(seconds: seconds) {
            precondition(bytes.withUnsafeBufferPointer { Timestamp.parseSQLiteText($0) } != nil)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        let viaFormatter = timePerCall(seconds: seconds) { precondition(formatter.date(from: String(decoding: bytes, as: UTF8.self)) != nil) }
        let style = Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: TimeZone(identifier: "UTC")!).year().month().day()
            .time(includingFractionalSeconds: true)
        let viaStyle = try timePerCall(seconds: seconds) { _ = try style.parse(String(decoding: bytes, as: UTF8.self)) }
        report("SQLite date text", ours: ours, library: viaFormatter, libraryName: "DateFormatter")
        report("SQLite date text", ours: ours, library: viaStyle, libraryName: "Date.ISO8601FormatStyle")
    }

    /// A push body (metadata, content, signature parts) arriving in 16 KB chunks: our
    /// streaming reader against collecting the body and splitting it with `Data.range(of:)`.
    static func multipart(seconds: Double) throws {
        for size in [4 * 1024, 1024 * 1024] {
            let boundary = "locker-bench-boundary-7d1f"
            var body = Data()
            func part(_ name: String, _ type: String, _ content: Data) {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
                body.append(content)
                body.append(Data("\r\n".utf8))
            }
            part("metadata", "application/json", Data(String(repeating: "m", count: 600).utf8))
            part("document", "application/pdf", Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131) }))
            part("signature", "text/plain", Data(String(repeating: "s", count: 86).utf8))
            body.append(Data("--\(boundary)--\r\n".utf8))
            let chunks = stride(from: 0, to: body.count, by: 16 * 1024).map { body[$0..<min($0 + 16 * 1024, body.count)] }
            let ours = try timePerCall(seconds: seconds) {
                let stream = MultipartStream(boundary: boundary)
                var bytes = 0
                stream.onBody = { bytes += $0.count }
                for chunk in chunks { try chunk.withUnsafeBytes { try stream.feed($0) } }
                precondition(stream.isComplete && bytes >= size)
            }
            let delimiter = Data("\r\n--\(boundary)".utf8)
            let split = timePerCall(seconds: seconds) {
                var whole = Data()
                for chunk in chunks { whole.append(chunk) }
                var parts = 0
                var from = whole.startIndex
                while let r = whole.range(of: delimiter, in: from..<whole.endIndex) {
                    let partBody = whole[from..<r.lowerBound]
                    if let headerEnd = partBody.range(of: Data("\r\n\r\n".utf8)) { _ = partBody[headerEnd.upperBound...]; parts += 1 }
                    from = r.upperBound
                }
                precondition(parts == 3)
            }
            report("push body, \(size / 1024) KB document", ours: ours, library: split, libraryName: "collect + Data.range(of:)")
        }
    }
}
