import Foundation

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
}
