import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A progress bar on standard error with rate and ETA: redrawn in place on a terminal, one
/// line every few seconds otherwise (logs, CI), so long key work is never silent.
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
        guard force || now.timeIntervalSince(lastDraw) >= (interactive ? 0.1 : 2) else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(done) / elapsed
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let eta = rate > 0 && total > done ? String(format: "ETA %.0fs", Double(total - done) / rate) : "ETA 0s"
        let line = String(format: "%@ [%@] %3.0f%% %d/%d  %.0f/s  %@", label, bar, fraction * 100, done, total, rate, eta)
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    func finish(done: Int, total: Int) {
        update(done: done, total: total, force: true)
        if interactive && !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    var elapsed: TimeInterval { Date().timeIntervalSince(start) }
}
