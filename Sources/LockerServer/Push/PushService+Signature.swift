import Foundation
import LockerCore

extension PushService {
    /// The 64 signature bytes from the signature part: unpadded base64url (86 characters) and
    /// nothing else. Hex, padded or standard base64 get a 422 that says so, rather than "does
    /// not verify", so an issuer fixes the encoding instead of hunting for a key mix-up.
    static func signatureBytes(_ text: String) throws -> [UInt8] {
        func refuse(_ why: String) -> Problem {
            Problem(.unprocessableContent, "bad-signature", "Bad signature",
                    detail: "The signature is not base64url: \(why). Send the 64-byte Ed25519 signature as unpadded base64url (86 characters of A-Z a-z 0-9 - _).")
        }
        let bytes = Array(text.utf8)
        let isHex = bytes.count == 128 && bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0 | 0x20) }
        if isHex { throw refuse("it looks like hex") }
        if bytes.contains(UInt8(ascii: "=")) { throw refuse("it is padded with '='") }
        if bytes.contains(UInt8(ascii: "+")) || bytes.contains(UInt8(ascii: "/")) { throw refuse("it holds '+' or '/' (standard base64)") }
        if bytes.isEmpty { throw refuse("the part is empty") }
        guard let decoded = Base64URL.decode(text) else { throw refuse("it holds characters outside A-Z a-z 0-9 - _") }
        guard decoded.count == 64 else { throw refuse("it decodes to \(Plural.count(decoded.count, "byte")), not 64") }
        return decoded
    }
}
