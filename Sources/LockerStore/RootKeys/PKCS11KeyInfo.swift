/// What `locker keys root-info` reports about a root key in an HSM.
public struct PKCS11KeyInfo: Sendable, Codable {
    public var uri: String
    public var token: String
    public var label: String
    /// CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE; nil where the token does not say.
    public var sensitive: Bool?
    public var extractable: Bool?
    public var alwaysSensitive: Bool?
    public var neverExtractable: Bool?
    /// Whether C_GetAttributeValue gave out CKA_VALUE (it must not).
    public var valueReadable: Bool
    /// The token's answer to that request, e.g. CKR_ATTRIBUTE_SENSITIVE.
    public var valueAnswer: String
    /// Whether 32 random bytes sealed and opened in the token came back the same.
    public var sealOpenRoundTrip: Bool
}
