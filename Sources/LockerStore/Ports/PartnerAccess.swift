import Foundation

/// What an access token stands for: its connection, the partner app and the citizen.
public struct PartnerAccess: Sendable {
    public var token: PartnerTokenRecord
    public var connection: PartnerConnectionRecord
    public var partner: PartnerRecord
    public var citizen: CitizenRecord

    public init(token: PartnerTokenRecord, connection: PartnerConnectionRecord, partner: PartnerRecord, citizen: CitizenRecord) {
        self.token = token
        self.connection = connection
        self.partner = partner
        self.citizen = citizen
    }
}
