import Foundation
import Hummingbird

/// Why an issuer's answer was not used. Each becomes a problem the citizen can act on; nothing
/// of the answer is kept.
enum PullFailure: Error, Sendable, Equatable {
    /// Down, an HTTP error, malformed or hostile XML, a wrong HMAC or echo, too large.
    case issuerFailed(String)
    /// No complete answer within the pull timeout.
    case timeout
    /// Status 0: the issuer has no such document.
    case notAtIssuer
    /// The person the document is issued to is not the signed-in citizen.
    case personMismatch

    var problem: Problem {
        switch self {
        case .issuerFailed(let why):
            Problem(.badGateway, "issuer-failed", "Issuer failed", detail: "The issuer did not give a usable answer (\(why)). Nothing was kept; try again later.",
                    headers: [.retryAfter: "60"])
        case .timeout:
            Problem(.gatewayTimeout, "issuer-timeout", "Issuer timed out", detail: "The issuer did not answer in time. Nothing was kept; try again later.", headers: [.retryAfter: "60"])
        case .notAtIssuer:
            Problem(.notFound, "not-at-issuer", "Not found at the issuer", detail: "The issuer found no document for these details. Check them and try again.")
        case .personMismatch:
            Problem(.unprocessableContent, "person-mismatch", "Not your document",
                    detail: "The issuer's document is issued to someone else (name or mobile number differ). Nothing was kept.")
        }
    }
}
