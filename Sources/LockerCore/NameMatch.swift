/// Compares people's names the way a verifier's form and an issuer's record can disagree
/// without being different people: case, spacing and diacritics are ignored.
public enum NameMatch {
    /// Lowercased, diacritics removed (NFD, combining marks dropped), runs of whitespace
    /// collapsed to one space, trimmed. "  ÁSHA   verma " → "asha verma".
    public static func normalize(_ name: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in name.decomposedStringWithCanonicalMappingPortable.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(contentsOf: String(scalar).lowercased())
        }
        return out
    }
}

import Foundation

extension String {
    /// Canonical decomposition (NFD), so "á" becomes "a" + U+0301.
    var decomposedStringWithCanonicalMappingPortable: String { decomposedStringWithCanonicalMapping }
}
