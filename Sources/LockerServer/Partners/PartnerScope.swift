import Foundation

/// Locker's own OAuth scopes for partner apps (DigiLocker publishes none), each with the plain
/// words the consent page and the connected-apps list use.
enum PartnerScope: String, CaseIterable, Sendable {
    /// `GET /public/oauth2/2/files/issued`.
    case list = "files.list"
    /// `GET /public/oauth2/1/file/{uri}`.
    case download = "files.download"

    var plainWords: String {
        switch self {
        case .list: "see the list of your certificates"
        case .download: "download your certificates"
        }
    }

    /// The scopes named in a `scope` parameter (space-separated; omitted or empty means all),
    /// in canonical order; nil if any is unknown.
    static func parse(_ text: String?) -> [PartnerScope]? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return allCases }
        guard text.utf8.count <= 200 else { return nil }
        var named = Set<PartnerScope>()
        for word in text.split(separator: " ") {
            guard let scope = PartnerScope(rawValue: String(word)) else { return nil }
            named.insert(scope)
        }
        return allCases.filter(named.contains)
    }
}
