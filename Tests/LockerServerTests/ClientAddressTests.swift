import Testing
@testable import LockerServer

@Suite("Client address behind a trusted proxy")
struct ClientAddressTests {
    @Test("CIDR ranges match by prefix, IPv4 and IPv6; anything else is refused")
    func ranges() throws {
        let ten = try #require(AddressRange("10.0.0.0/8"))
        #expect(ten.contains("10.200.3.4") && !ten.contains("11.0.0.1") && !ten.contains("203.0.113.8") && !ten.contains("::1"))
        let one = try #require(AddressRange("127.0.0.1"))
        #expect(one.contains("127.0.0.1") && !one.contains("127.0.0.2"))
        let v6 = try #require(AddressRange("fd00::/8"))
        #expect(v6.contains("fd12::1") && !v6.contains("fe80::1"))
        #expect(try #require(AddressRange("192.168.1.0/23")).contains("192.168.0.77"))
        for bad in ["proxy.example.in", "10.0.0.0/33", "10.0.0.0/", "/8", "10.0.0.0/8/8", "::1/129", "10.0.0.0/-1"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test("the right-most hop that is not a trusted proxy is the client; a non-address stops the walk")
    func forwarded() throws {
        let trusted = [AddressRange("127.0.0.1")!, AddressRange("10.0.0.0/8")!]
        #expect(ClientAddressMiddleware.forwardedClient(["203.0.113.8"], trusted: trusted) == "203.0.113.8")
        #expect(ClientAddressMiddleware.forwardedClient(["198.51.100.1, 203.0.113.7"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddressMiddleware.forwardedClient(["203.0.113.7, 10.1.2.3"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddressMiddleware.forwardedClient(["203.0.113.7", "10.1.2.3"], trusted: trusted) == "203.0.113.7")
        #expect(ClientAddressMiddleware.forwardedClient(["evil, 10.1.2.3"], trusted: trusted) == nil)
        #expect(ClientAddressMiddleware.forwardedClient([], trusted: trusted) == nil)
    }
}
