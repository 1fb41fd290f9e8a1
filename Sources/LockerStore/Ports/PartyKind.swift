/// The parties that hold an API key an administrator can switch off.
public enum PartyKind: String, Sendable {
    case issuer, verifier, partner

    /// The table that holds this kind of party.
    public var table: String {
        switch self {
        case .issuer: "issuers"
        case .verifier: "verifiers"
        case .partner: "partners"
        }
    }
}
