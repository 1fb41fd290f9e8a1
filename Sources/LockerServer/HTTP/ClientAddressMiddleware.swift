import HTTPTypes
import Hummingbird

/// Behind a trusted proxy (`--trusted-proxy CIDR,…`), the client's address is the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy; from anyone else the header is
/// ignored, so a client cannot pick the address its limits and the audit are counted under.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = LockerRequestContext
    let trusted: [AddressRange]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty, trusted.contains(where: { $0.contains(context.clientAddress) }) else { return try await next(request, context) }
        var context = context
        if let client = Self.forwardedClient(request.headers[values: .xForwardedFor], trusted: trusted) { context.clientAddress = client }
        return try await next(request, context)
    }

    /// Walks the forwarded chain from the right (the hop nearest to us) past trusted proxies.
    static func forwardedClient(_ headers: [String], trusted: [AddressRange]) -> String? {
        let hops = headers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard AddressRange.parse(hop) != nil else { return nil }  // not an address: trust nothing further
            if !trusted.contains(where: { $0.contains(hop) }) { return hop }
        }
        return nil
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
