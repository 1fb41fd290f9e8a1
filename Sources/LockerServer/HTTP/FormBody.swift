import Foundation
import Hummingbird

/// `application/x-www-form-urlencoded` text as (name, value) pairs, in order: `+` is a space and
/// percent-escapes are decoded. A pair whose name does not decode is dropped; a value that does
/// not decode is nil, so each caller decides whether that is an error.
enum FormBody {
    static func pairs(_ text: String) -> [(name: String, value: String?)] {
        let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        return text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts.first.flatMap(decode) else { return nil }
            return (name, parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Why a form was refused, for each caller to word in its own error style.
    enum Refusal: Error {
        case notAForm, tooLarge, badEncoding
        case repeated(String)
    }

    /// A request's form fields, at most `limit` bytes. With `rejectRepeats` a field sent twice is
    /// refused (OAuth, RFC 6749 §3.2); otherwise the first one wins (the portal's forms).
    static func fields(_ request: Request, limit: Int, rejectRepeats: Bool) async -> Result<[String: String], Refusal> {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return .failure(.notAForm) }
        var request = request
        guard let buffer = try? await request.collectBody(upTo: limit) else { return .failure(.tooLarge) }
        var fields = [String: String]()
        for (name, value) in pairs(String(buffer: buffer)) {
            if fields[name] != nil {
                if rejectRepeats { return .failure(.repeated(name)) }
                continue
            }
            guard let value else { return .failure(.badEncoding) }
            fields[name] = value
        }
        return .success(fields)
    }
}
