import Foundation
import LockerCore
import Testing

@Suite("Free text shown to people")
struct FreeTextTests {
    @Test("control, format (bidi, zero-width) and separator characters are refused; joiners and emoji are not")
    func displayText() {
        for bad in ["a\u{2028}b", "a\u{2029}b", "a\u{202E}b", "a\u{2066}b\u{2069}", "a\u{200B}b", "a\u{200F}", "a\u{AD}b", "a\u{FEFF}",
                    "a\u{E0001}", "a\tb", "a\nb", "a\u{85}b", "a\u{7F}", "", "   "] {
            #expect(!Validate.displayText(bad, max: 200), "\(bad.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        for good in ["IRCTC booking", "Asha Verma", "\u{915}\u{94D}\u{200D}\u{937}", "\u{D28}\u{D4D}\u{200C}", "Train \u{1F686}", "Zoë — Zürich"] {
            #expect(Validate.displayText(good, max: 200), "\(good)")
        }
        #expect(!Validate.displayText(String(repeating: "a", count: 201), max: 200))
    }

    @Test("digit runs are counted in every script")
    func digitRuns() {
        #expect(Validate.longestDigitRun("Ticket PNR 749888") == 6)
        #expect(Validate.longestDigitRun("PNR 12 34 5") == 2)
        #expect(Validate.longestDigitRun("\u{967}\u{968}\u{969}\u{96A}") == 4)
        #expect(Validate.longestDigitRun("\u{FF11}\u{FF12}\u{FF13}") == 3)
        #expect(Validate.longestDigitRun("no digits") == 0)
    }

    @Test("the latest issue date is tomorrow's UTC date")
    func latestIssueDate() {
        #expect(Validate.latestIssueDate(now: Date(timeIntervalSince1970: 1_800_000_000)) == "2027-01-16")
        #expect(Validate.latestIssueDate(now: Date(timeIntervalSince1970: 1_798_761_599)) == "2027-01-01", "23:59:59 on 2026-12-31")
    }

    @Test("the arithmetic date matches Foundation's Gregorian UTC calendar over 400 years of random instants")
    func latestIssueDateMatchesCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let now = Date(timeIntervalSince1970: Double(Int64.random(in: -2_208_988_800...10_413_792_000, using: &rng)))
            let c = calendar.dateComponents([.year, .month, .day], from: now.addingTimeInterval(86400))
            let expected = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            #expect(Validate.latestIssueDate(now: now) == expected, "at \(now.timeIntervalSince1970)")
        }
    }
}
