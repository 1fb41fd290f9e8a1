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
