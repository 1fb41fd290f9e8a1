import Foundation

/// A successful token answer (RFC 6749 §5.1), with DigiLocker's `digilockerid` (the citizen's id).
struct TokenAnswer: Encodable, Sendable {
    var accessToken: String
    var tokenType = "Bearer"
    var expiresIn: Int
    var refreshToken: String
    var scope: String
    var digilockerID: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", refreshToken = "refresh_token", scope
        case digilockerID = "digilockerid"
    }
}
