import Foundation

/// Times as people read them ("23 Nov 2026, 1:55 am IST") in the deployment's time zone, for
/// pages; the JSON API keeps RFC 3339. One per rendered page (a `DateFormatter` is not
/// `Sendable`, and a page formats a few dozen dates at most).
struct HumanTime {
    private let formatter: DateFormatter

    init(timeZone: TimeZone) {
        formatter = DateFormatter()
        // en_IN names Indian Standard Time "IST"; other zones read as "GMT+1" and the like.
        formatter.locale = Locale(identifier: "en_IN")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.timeZone = timeZone
        formatter.dateFormat = "d MMM yyyy, h:mm a zzz"
        formatter.amSymbol = "am"
        formatter.pmSymbol = "pm"
    }

    /// The date and time, minutes precision, with the zone's abbreviation.
    func string(_ date: Date) -> String { formatter.string(from: date) }

    /// A calendar date `YYYY-MM-DD` (as issuers send `issuedOn`) as "1 Nov 2026"; anything
    /// else is returned unchanged.
    static func day(_ isoDate: String) -> String {
        let parts = isoDate.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...31).contains(day) else { return isoDate }
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(day) \(names[month - 1]) \(year)"
    }
}
