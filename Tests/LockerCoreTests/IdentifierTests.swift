import Foundation
import LockerCore
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    @Test("time-ordered ids: our id format, sorted by creation time, 80 random bits that differ every time")
    func ordered() {
        let t0 = Date(timeIntervalSince1970: 1_795_420_353.123)
        var ids = [String]()
        for step in 0..<200 { ids.append(SecureRandom.orderedIdentifier(now: t0.addingTimeInterval(Double(step) * 0.002))) }
        #expect(ids.allSatisfy(Validate.localID))
        #expect(ids == ids.sorted())
        // The first 12 hex digits are the milliseconds since 1970.
        #expect(UInt64(ids[0].prefix(12), radix: 16) == 1_795_420_353_123)
        // Within one millisecond the order is random, and the random part never repeats.
        let sameInstant = (0..<1000).map { _ in SecureRandom.orderedIdentifier(now: t0) }
        #expect(Set(sameInstant).count == 1000)
        #expect(Set(sameInstant.map { $0.prefix(12) }).count == 1)
        #expect(sameInstant != sameInstant.sorted())
    }

    @Test("random ids: our id format, never repeating")
    func random() {
        let ids = (0..<1000).map { _ in SecureRandom.identifier() }
        #expect(ids.allSatisfy(Validate.localID))
        #expect(Set(ids).count == 1000)
    }
}

@Suite("Redirect URIs")
struct RedirectURITests {
    @Test("https anywhere, http only to loopback, reverse-domain private schemes; never a fragment, user info or script")
    func redirectURIs() {
        for good in ["https://health.example.in/cb", "https://app.example.in:8443/oauth/callback?x=1", "http://127.0.0.1:53124/cb",
                     "http://localhost/cb", "in.cowin.app:/callback"] {
            #expect(Validate.redirectURI(good), "\(good)")
        }
        for bad in ["", "/cb", "https://health.example.in/cb#frag", "http://health.example.in/cb", "https://user:pw@health.example.in/cb",
                    "javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "myapp:/cb", "https://health example.in/cb",
                    "https://health.example.in/cb\n", "https:///cb", "https://health.example.in/" + String(repeating: "a", count: 2000)] {
            #expect(!Validate.redirectURI(bad), "\(bad)")
        }
    }
}
