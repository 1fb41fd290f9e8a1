/// The QR text of a SMART Health Card (smarthealth.cards, "Encoding Chunks as QR codes"):
/// `shc:/` then, for each character of the compact JWS, its code minus 45 as two decimal
/// digits, so the whole card fits QR's numeric mode.
public enum HealthCardQR {
    /// The `shc:/` prefix, encoded in byte mode ahead of the numeric digits.
    public static let prefix = "shc:/"

    /// Two digits per JWS character (`-` is 00, `z` is 77).
    public static func digits(_ jws: String) -> String { NumericQR.digits(jws) }

    /// The whole QR text, `shc:/` and the digits.
    public static func text(_ jws: String) -> String { prefix + digits(jws) }

    /// The JWS back from QR text; nil without the prefix, with an odd number of digits, or a
    /// pair outside the base64url-and-dot range.
    public static func jws(fromText text: String) -> String? { NumericQR.jws(fromText: text, prefix: prefix) }
}
