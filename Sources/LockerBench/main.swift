import Crypto
import Foundation
import LockerCore
import LockerServer

// locker-bench: throughput of Locker's envelope (seal/open) on one core, in memory.
// Usage: locker-bench envelope [--seconds S]
// Prints one JSON object per measurement; bench/envelope.sh puts it beside `openssl speed`.

func measure(_ label: String, bytesPerOp: Int, seconds: Double, _ body: () throws -> Void) rethrows -> [String: Any] {
    // Warm up, then run whole operations until the time budget is spent (bounded by count too).
    for _ in 0..<3 { try body() }
    let clock = ContinuousClock()
    var ops = 0
    let start = clock.now
    var elapsed = Duration.zero
    while elapsed < .seconds(seconds) && ops < 1_000_000 {
        try body()
        ops += 1
        elapsed = clock.now - start
    }
    let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let mbps = Double(ops * bytesPerOp) / secs / 1e6
    return ["op": label, "bytes": bytesPerOp, "ops": ops, "seconds": secs, "MBps": (mbps * 10).rounded() / 10,
            "usPerOp": (secs / Double(ops) * 1e7).rounded() / 10]
}

AllocatorTuning.apply()  // the same setting lockerd runs with
let arguments = CommandLine.arguments
var seconds = 2.0
if let i = arguments.firstIndex(of: "--seconds"), i + 1 < arguments.count, let s = Double(arguments[i + 1]) { seconds = s }
if arguments.count >= 2, arguments[1] == "seed-citizens" {
    try SeedCitizens.run(arguments: arguments)
    exit(0)
}
if arguments.count >= 2, ["json", "timestamp", "multipart"].contains(arguments[1]) {
    try MicroBench.run(arguments[1], seconds: seconds)
    exit(0)
}
if arguments.count >= 2, arguments[1] == "root-unwrap" {
    try RootKeyBench.run(arguments: arguments, seconds: seconds)
    exit(0)
}
if arguments.count >= 2, arguments[1] == "status" {
    try await StatusBench.run(arguments: arguments, seconds: seconds)
    exit(0)
}
guard arguments.count >= 2, arguments[1] == "envelope" else {
    FileHandle.standardError.write(Data("usage: locker-bench envelope [--seconds S] | json | timestamp | multipart [--seconds S] | status --storage DIR --people FILE [--seconds S] [--tasks N] | seed-citizens --storage DIR --count N | root-unwrap --root-key URI [--seconds S]\n".utf8))
    exit(2)
}

let key = SymmetricKey(size: .bits256)
let context = EnvelopeContext(ownerID: "bench-owner", documentID: "bench-doc", keyVersion: 1)
var results = [[String: Any]]()
for size in [100 * 1024, 10 * 1024 * 1024] {
    let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 131) }
    let sealed = try Envelope.seal(plaintext, contentKey: key, context: context)
    results.append(try measure("seal", bytesPerOp: size, seconds: seconds) {
        _ = try Envelope.seal(plaintext, contentKey: key, context: context)
    })
    results.append(try measure("open", bytesPerOp: size, seconds: seconds) {
        let opened = try Envelope.open(sealed, contentKey: key, context: context)
        precondition(opened.count == size)
    })
}
for r in results {
    let data = try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
