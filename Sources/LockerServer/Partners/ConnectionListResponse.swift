import Foundation
import LockerStore

/// `GET /v1/connections`: the citizen's live partner connections, newest first.
struct ConnectionListResponse: Encodable, Sendable {
    struct Connection: Encodable, Sendable {
        var id: String
        var partnerId: String
        var partnerName: String
        var scopes: [String]
        var createdAt: Date
        var expiresAt: Date
        var lastUsedAt: Date?

        init(_ pair: (PartnerConnectionRecord, PartnerRecord)) {
            let (c, p) = pair
            id = c.id
            partnerId = p.id
            partnerName = p.name
            scopes = c.scopeList
            createdAt = c.createdAt
            expiresAt = c.expiresAt
            lastUsedAt = c.lastUsedAt
        }

        func encode(to encoder: any Encoder) throws {  // lastUsedAt is null until first use, never missing
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(partnerId, forKey: .partnerId)
            try c.encode(partnerName, forKey: .partnerName)
            try c.encode(scopes, forKey: .scopes)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(expiresAt, forKey: .expiresAt)
            try c.encode(lastUsedAt, forKey: .lastUsedAt)
        }

        enum CodingKeys: CodingKey { case id, partnerId, partnerName, scopes, createdAt, expiresAt, lastUsedAt }
    }

    var connections: [Connection]
}
