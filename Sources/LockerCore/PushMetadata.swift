import Foundation

/// What an issuer says about the citizen in a push. Kept sealed under the citizen's data key.
public struct PushMetadata: Codable, Sendable, Equatable {
    public var mobile: String
    public var docType: String
    public var docId: String
    public var issuedOn: String
    public var claims: [String: ClaimValue]

    /// Checks every field; returns the first problem as a sentence, or nil.
    public func problem() -> String? {
        guard Validate.mobile(mobile) else { return "mobile must be an E.164 number such as +919876543210" }
        guard Validate.docType(docType) else { return "docType must be five capital letters, such as VACER" }
        guard Validate.docID(docId) else { return "docId must be 1-64 characters of A-Z a-z 0-9 . _ -" }
        guard Validate.date(issuedOn) else { return "issuedOn must be a date YYYY-MM-DD" }
        if docType == "VACER" { return VaccinationClaims(claims).problem }
        return nil
    }
}
