import Hummingbird

extension Response {
    func withCacheControl(_ value: String) -> Response {
        var copy = self
        copy.headers[.cacheControl] = value
        return copy
    }
}
