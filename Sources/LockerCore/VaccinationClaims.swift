import Foundation

/// The claims of a vaccination certificate (`VACER`).
public struct VaccinationClaims: Sendable {
    public let name: String?
    public let dosesReceived: Int?
    public let dosesRequired: Int?
    public let vaccine: String?
    public let lastDoseOn: String?

    public init(_ claims: [String: ClaimValue]) {
        name = claims["name"]?.string
        dosesReceived = claims["dosesReceived"]?.int
        dosesRequired = claims["dosesRequired"]?.int
        vaccine = claims["vaccine"]?.string
        lastDoseOn = claims["lastDoseOn"]?.string
    }

    /// The first thing wrong with these claims, or nil.
    public var problem: String? {
        guard let name, (1...200).contains(name.count), !name.trimmingCharacters(in: .whitespaces).isEmpty else { return "claims.name must be 1-200 characters" }
        guard let dosesReceived, (0...10).contains(dosesReceived) else { return "claims.dosesReceived must be an integer 0-10" }
        guard let dosesRequired, (1...10).contains(dosesRequired) else { return "claims.dosesRequired must be an integer 1-10" }
        guard let vaccine, (1...100).contains(vaccine.count) else { return "claims.vaccine must be 1-100 characters" }
        if dosesReceived > 0 {
            guard let lastDoseOn, Validate.date(lastDoseOn) else { return "claims.lastDoseOn must be a date YYYY-MM-DD when doses were received" }
        } else if let lastDoseOn, !Validate.date(lastDoseOn) {
            return "claims.lastDoseOn must be a date YYYY-MM-DD"
        }
        return nil
    }

    /// 0 not vaccinated, 1 partially, 2 fully.
    public var status: Int {
        guard let dosesReceived, let dosesRequired, dosesReceived > 0 else { return 0 }
        return dosesReceived >= dosesRequired ? 2 : 1
    }
}
