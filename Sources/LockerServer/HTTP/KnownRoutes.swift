import Hummingbird
import Synchronization

/// The routes the router serves, so a request for a known path with the wrong method can get
/// 405 with `Allow` (RFC 9110 §15.5.6) instead of a bare 404.
final class KnownRoutes: Sendable {
    private let table = Mutex<[(segments: [Substring], methods: Set<String>)]>([])

    /// Records every route of `router` (call once, after the routes are added).
    func record(_ router: Router<LockerRequestContext>) {
        var byPath = [String: Set<String>]()
        for route in router.routes { byPath[route.path.description, default: []].insert(route.method.rawValue) }
        // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`).
        for (path, methods) in byPath where methods.contains("GET") { byPath[path]?.insert("HEAD") }
        table.withLock { t in
            t = byPath.map { (path, methods) in (path.split(separator: "/"), methods) }
        }
    }

    /// Methods allowed on `path`, empty if no route has that path.
    func methods(for path: String, isAdmin: () -> Bool = { false }) -> Set<String> {
        let parts = path.split(separator: "/")
        // Admin paths must look exactly like unknown ones to anyone without the credential,
        // however the path is spelled.
        if parts.count >= 2 && parts[0] == "v1" && parts[1] == "admin" && !isAdmin() { return [] }
        return table.withLock { t in
            // As the router does, a literal segment beats a parameter: /v1/shares/redeem is not
            // /v1/shares/{shareId}. Only the most specific matching paths count.
            var best = -1
            var allowed = Set<String>()
            for entry in t where entry.segments.count == parts.count {
                guard zip(entry.segments, parts).allSatisfy({ pattern, part in pattern.hasPrefix("{") || pattern == part }) else { continue }
                let literals = entry.segments.filter { !$0.hasPrefix("{") }.count
                if literals > best {
                    best = literals
                    allowed = entry.methods
                } else if literals == best {
                    allowed.formUnion(entry.methods)
                }
            }
            return allowed
        }
    }
}
