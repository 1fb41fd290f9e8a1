import Crypto
import Foundation
import LockerCore

/// Locker's requests in DigiLocker's Issuer API XML: `PullURIRequest` and `PullDocRequest`,
/// with `ts`, a fresh `txn`, the issuer's `orgId` and the legacy `keyhash` (hex SHA-256 of the
/// API key followed by `ts`). Every value is XML-escaped.
struct PullRequestXML: Sendable {
    var ts: String
    var txn: String
    var body: Data

    static func uri(issuerID: String, docType: String, citizenID: String, mobile10: String, fields: [(String, String)], key: [UInt8], now: Date) -> PullRequestXML {
        var details = "<DocType>\(escape(docType))</DocType><DigiLockerId>\(escape(citizenID))</DigiLockerId>"
        for (name, value) in fields where name == "FullName" || name == "DOB" { details += "<\(name)>\(escape(value))</\(name)>" }
        details += "<MobileNo>\(escape(mobile10))</MobileNo>"
        for (name, value) in fields where name.hasPrefix("UDF") { details += "<\(name)>\(escape(value))</\(name)>" }
        return make("PullURIRequest", issuerID: issuerID, details: details, key: key, now: now)
    }

    static func doc(issuerID: String, uri: String, citizenID: String, key: [UInt8], now: Date) -> PullRequestXML {
        make("PullDocRequest", issuerID: issuerID, details: "<URI>\(escape(uri))</URI><DigiLockerId>\(escape(citizenID))</DigiLockerId>", key: key, now: now)
    }

    private static func make(_ root: String, issuerID: String, details: String, key: [UInt8], now: Date) -> PullRequestXML {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Kolkata")
        let ts = formatter.string(from: now)
        let txn = SecureRandom.identifier()
        let keyhash = Hex.encode(Array(SHA256.hash(data: key + Array(ts.utf8))))
        let xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <\(root) ver="1.0" ts="\(escape(ts))" txn="\(txn)" orgId="\(escape(issuerID))" format="pdf" keyhash="\(keyhash)"><DocDetails>\(details)</DocDetails></\(root)>
            """
        return PullRequestXML(ts: ts, txn: txn, body: Data(xml.utf8))
    }

    /// Base64 HMAC-SHA256 of `body` under the API key: the `x-digilocker-hmac` header.
    static func hmac(_ body: Data, key: [UInt8]) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: key))).base64EncodedString()
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
