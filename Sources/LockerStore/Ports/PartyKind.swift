/// The parties that hold an API key an administrator can switch off.
public enum PartyKind: String, Sendable {
    case issuer, verifier
}
