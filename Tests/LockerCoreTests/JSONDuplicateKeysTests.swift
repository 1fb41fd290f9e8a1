import Testing
@testable import LockerCore

@Suite("Duplicate JSON keys")
struct JSONDuplicateKeysTests {
    func refusal(_ text: String) -> String? { JSONDuplicateKeys.refusal(Array(text.utf8)) }

    @Test("a key twice in one object is found, at any depth, also when spelled with escapes")
    func duplicates() {
        #expect(refusal(#"{"mobile":"+919800000001","mobile":"+919800000002"}"#)?.contains(#""mobile""#) == true)
        #expect(refusal(#"{"a":{"claims":{"name":"A","name":"B"}}}"#)?.contains(#""name""#) == true)
        #expect(refusal(#"{"mobile":"x","m\u006fbile":"y"}"#) != nil)
        #expect(refusal(#"[{"k":1},{"k":2,"k":3}]"#) != nil)
        #expect(refusal(#"{"\ud83d\ude00":1,"😀":2}"#) != nil, "a surrogate pair and the literal character are one key")
    }

    @Test("the same key in sibling objects, and similar keys, are fine")
    func distinct() {
        #expect(refusal(#"{"a":{"k":1},"b":{"k":2},"k":[{"k":3}]}"#) == nil)
        #expect(refusal(#"{"mobile":"x","Mobile":"y","mobile ":"z"}"#) == nil)
        #expect(refusal(#"{"s":"a \"quoted\" \\ string with , and } inside","t":1.5e3,"u":null,"v":true}"#) == nil)
        #expect(refusal("{}") == nil)
        #expect(refusal("") == nil, "malformed text is left to the decoder")
    }

    @Test("nesting past the limit is refused without exhausting the stack")
    func deep() {
        let deep = String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000)
        #expect(refusal(deep)?.contains("nested") == true)
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(refusal(ok) == nil)
    }
}
