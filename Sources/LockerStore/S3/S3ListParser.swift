import Foundation

/// Reads the few fields the blob store needs from S3's XML answers (ListObjectsV2's `Key`,
/// `LastModified` and `NextContinuationToken`, an error's `Code`) without an XML library.
enum S3ListParser {
    static func parse(_ xml: String) -> (objects: [(key: String, modified: Date)], next: String?) {
        var objects = [(key: String, modified: Date)]()
        for contents in values(of: "Contents", in: xml) {
            guard let key = values(of: "Key", in: contents).first else { continue }
            let modified = values(of: "LastModified", in: contents).first.flatMap(date) ?? Date()
            objects.append((unescape(key), modified))
        }
        let truncated = values(of: "IsTruncated", in: xml).first == "true"
        return (objects, truncated ? values(of: "NextContinuationToken", in: xml).first.map(unescape) : nil)
    }

    /// The text of every `<tag>…</tag>` in `xml`, in order.
    static func values(of tag: String, in xml: String) -> [String] {
        var out = [String]()
        var rest = xml[...]
        while let open = rest.range(of: "<\(tag)>"), let close = rest[open.upperBound...].range(of: "</\(tag)>") {
            out.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
