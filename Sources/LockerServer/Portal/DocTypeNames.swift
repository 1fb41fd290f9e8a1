import LockerStore

/// The names people know document types by; pages show these instead of the five-letter codes
/// issuers push. A code not in the table is shown as it is.
enum DocTypeNames {
    static let names: [String: String] = [
        "VACER": "Vaccination certificate",
        "MARKS": "Marksheet",
        "DRVLC": "Driving licence",
        "RVCER": "Vehicle registration certificate",
        "PANCR": "PAN card",
        "BTCER": "Birth certificate",
        "INCER": "Income certificate",
        "CSCER": "Caste certificate",
    ]

    /// "Vaccination certificate" for `VACER`; the code itself when unknown.
    static func name(_ code: String) -> String { names[code] ?? code }

    /// The name inside a sentence: "your vaccination certificate", "your PAN card", and for an
    /// unknown code "your XXXXX document".
    static func phrase(_ code: String) -> String {
        guard let name = names[code] else { return "\(code) document" }
        let words = name.split(separator: " ", maxSplits: 1)
        // Lower-case the first word unless it is an acronym (PAN).
        guard let first = words.first, first.count > 1, first.dropFirst().allSatisfy({ $0.isLowercase }) else { return name }
        return first.lowercased() + (words.count > 1 ? " " + words[1] : "")
    }

    /// Whether the document can be shown as a SMART Health Card: a vaccination certificate
    /// with the issuer's signed claims, which the card's FHIR bundle is made from.
    static func carriesHealthCard(_ document: DocumentRecord) -> Bool {
        document.docType == "VACER" && document.claimsSealed != nil
    }

    /// Whether a status-only share can say anything about vaccination: a vaccination
    /// certificate whose holder facts (status digit) were sealed at push time, the same test
    /// the signed statement applies.
    static func carriesVaccinationStatus(_ document: DocumentRecord) -> Bool {
        document.docType == "VACER" && document.holderSealed != nil
    }
}
