import Foundation
import LockerCore
import Testing

@Suite("Push metadata claims")
struct ClaimsTests {
    @Test("each claim keeps its JSON kind: a quoted number or boolean stays a string")
    func kindsKept() throws {
        let json = #"{"mobile":"+919876543210","docType":"VACER","docId":"A1","issuedOn":"2026-11-01","claims":{"name":"Asha","doses":2,"final":true,"batch":"7","flag":"true","empty":""}}"#
        let metadata = try JSONDecoder().decode(PushMetadata.self, from: Data(json.utf8))
        #expect(metadata.claims == ["name": .string("Asha"), "doses": .int(2), "final": .bool(true), "batch": .string("7"), "flag": .string("true"), "empty": .string("")])
    }

    @Test("a claim that is not a string, integer or boolean is refused")
    func othersRefused() {
        for value in ["1.5", "null", "[1]", #"{"a":1}"#] {
            let json = #"{"mobile":"+919876543210","docType":"VACER","docId":"A1","issuedOn":"2026-11-01","claims":{"x":"# + value + "}}"
            #expect(throws: DecodingError.self, "\(value)") { try JSONDecoder().decode(PushMetadata.self, from: Data(json.utf8)) }
        }
    }
}
