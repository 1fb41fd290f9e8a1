/// HTML escaping per Unicode scalar, for every value a page shows.
///
/// Escaping per `Character` (as swift-mustache's `{{x}}` and Foundation's
/// `replacingOccurrences` do) misses a quote followed by a combining mark: `"` + U+0301 is one
/// grapheme that is not equal to `"`, so it reaches the page raw and ends an attribute value.
/// Here each scalar is looked at on its own, so no markup character ever survives.
enum HTMLText {
    /// `text` with `& < > " '` replaced by entities, scalar by scalar.
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A template context with every string in it (at any depth) escaped, for templates that
    /// print values with the raw `{{{x}}}` form only. Numbers and booleans pass unchanged.
    static func escapeContext(_ value: Any) -> Any {
        switch value {
        case let text as String: return escape(text)
        case let text as Substring: return escape(String(text))
        case let dictionary as [String: Any]: return dictionary.mapValues(escapeContext)
        case let array as [[String: Any]]: return array.map { $0.mapValues(escapeContext) }
        case let array as [Any]: return array.map(escapeContext)
        default: return value
        }
    }
}
