import Crypto
import Foundation
import LockerCore

/// AWS Signature Version 4 for one request (header-based authentication), with swift-crypto's
/// HMAC-SHA256 and SHA-256. Pure: the caller supplies the time, so published test vectors check it.
public struct SigV4: Sendable {
    /// The access key id (not secret; it names the key).
    public let accessKey: String
    /// The secret access key; never logged, never part of a description.
    let secretKey: String
    /// Region (`us-east-1` unless the store says otherwise).
    public let region: String
    /// Service name in the credential scope (`s3`).
    public let service: String

    /// A signer for `service` in `region`.
    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }

    /// SHA-256 of the empty payload, hex.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Hex SHA-256 of a payload.
    public static func hash(_ bytes: some DataProtocol) -> String { Hex.encode(Array(SHA256.hash(data: bytes))) }

    /// The headers to add to the request (`x-amz-date`, `x-amz-content-sha256` when `s3`,
    /// `Authorization`). `headers` are the request's other headers that are signed, `host`
    /// among them; `path` is the URI-encoded path, `query` the raw (unencoded) parameters.
    public func sign(method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String,
                     date: Date) -> [(String, String)] {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        var all = headers.map { ($0.0.lowercased(), $0.1.trimmingCharacters(in: .whitespaces)) }
        all.append(("x-amz-date", stamp))
        if service == "s3" && !all.contains(where: { $0.0 == "x-amz-content-sha256" }) { all.append(("x-amz-content-sha256", payloadHash)) }
        all.sort { $0.0 < $1.0 }
        let signedHeaders = all.map(\.0).joined(separator: ";")
        let canonical = canonicalRequest(method: method, path: path, query: query, headers: all, signedHeaders: signedHeaders, payloadHash: payloadHash)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n\(Self.hash(Array(canonical.utf8)))"
        let signature = Hex.encode(Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(day: day))))
        var out = all.filter { $0.0 == "x-amz-date" || $0.0 == "x-amz-content-sha256" }
        out.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return out
    }

    /// The canonical request (step 1 of the algorithm); `headers` lower-cased and sorted.
    func canonicalRequest(method: String, path: String, query: [(String, String)], headers: [(String, String)], signedHeaders: String,
                          payloadHash: String) -> String {
        let encoded: [(String, String)] = query.map { pair in (Self.encode(pair.0), Self.encode(pair.1)) }
        let sorted = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = sorted.map { pair in pair.0 + "=" + pair.1 }.joined(separator: "&")
        let canonicalHeaders = headers.map { "\($0.0):\($0.1)\n" }.joined()
        return "\(method)\n\(path.isEmpty ? "/" : path)\n\(canonicalQuery)\n\(canonicalHeaders)\n\(signedHeaders)\n\(payloadHash)"
    }

    func signingKey(day: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let dateKey = mac(SymmetricKey(data: Array("AWS4\(secretKey)".utf8)), day)
        return mac(mac(mac(dateKey, region), service), "aws4_request")
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when `keepSlash`).
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
