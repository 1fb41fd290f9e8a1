import Foundation

/// What an owner asks for when sharing (the JSON body of `POST /v1/documents/{id}/shares`, or
/// the portal's form).
struct ShareRequest: Decodable, Sendable {
    let label: String
    let expiresInSeconds: Int?
    let maxUses: Int?
    let scope: String?
    let passcode: String?
}
