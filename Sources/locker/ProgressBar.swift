import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on standard error with rate and ETA: redrawn in place on a terminal, one
/// line a second otherwise (logs, CI), so long key work is never silent. The rate is what was
/// really done over the time really spent; the ETA shows "—" until there is a rate to use.
final class ProgressBar {
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let interactive = isatty(2) == 1
    private let quiet: Bool

    init(_ label: String, quiet: Bool = false) {
        self.label = label
        self.quiet = quiet
    }

    func update(done: Int, total: Int, force: Bool = false) {
        guard !quiet else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= (interactive ? 0.1 : 1) else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = Self.eta(done: done, total: total, rate: rate, elapsed: elapsed)
        let line = String(format: "%@ [%@] %3.0f%% %d/%d  %.0f/s  %@", label, bar, fraction * 100, done, total, rate, eta)
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    /// "ETA —" until something is done to estimate from; "done" once everything is.
    static func eta(done: Int, total: Int, rate: Double, elapsed: TimeInterval) -> String {
        if done >= total { return "done" }
        guard done > 0, rate > 0, elapsed >= 0.2 else { return "ETA —" }
        let seconds = Int((Double(total - done) / rate).rounded(.up))
        return seconds >= 60 ? "ETA \(seconds / 60)m\(String(format: "%02d", seconds % 60))s" : "ETA \(seconds)s"
    }

    func finish(done: Int, total: Int) {
        update(done: done, total: total, force: true)
        if interactive && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(start) }
}
