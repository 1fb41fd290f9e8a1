#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address range in CIDR form (`10.0.0.0/8`, `127.0.0.1`, `::1/128`), for
/// `--trusted-proxy`.
public struct AddressRange: Sendable, Equatable {
    let bytes: [UInt8]
    let prefix: Int

    /// Parses `address[/bits]`; nil for anything else (a host name, bits out of range).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let bytes = Self.parse(String(parts[0])) else { return nil }
        let prefix = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
        guard let prefix, (0...(bytes.count * 8)).contains(prefix), parts.count == 1 || parts[1].allSatisfy(\.isNumber) else { return nil }
        self.bytes = bytes
        self.prefix = prefix
    }

    /// Whether `address` (textual IPv4 or IPv6) lies in this range.
    public func contains(_ address: String) -> Bool {
        guard let other = Self.parse(address), other.count == bytes.count else { return false }
        var bits = prefix
        for i in 0..<bytes.count where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : ~(0xff >> UInt8(bits))
            if bytes[i] & mask != other[i] & mask { return false }
            bits -= 8
        }
        return true
    }

    /// An address's bytes (4 or 16), nil if it is not an IP address.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
