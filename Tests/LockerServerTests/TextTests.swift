import Testing
@testable import LockerServer

@Suite("ASCII trimming")
struct TextTests {
    @Test("trims ASCII whitespace or the given bytes from both ends only, and keeps non-ASCII text whole")
    func trim() {
        #expect(ASCII.trim("  \t name=\"metadata\" \r\n") == "name=\"metadata\"")
        #expect(ASCII.trim("\"content\"", dropping: [UInt8(ascii: "\"")]) == "content")
        #expect(ASCII.trim("   ") == "")
        #expect(ASCII.trim("") == "")
        #expect(ASCII.trim(" नाम ") == "नाम")
        #expect(ASCII.trim("a b") == "a b")
        #expect(multipartBoundary("multipart/form-data; boundary=\"abc def\"") == nil)
        #expect(multipartBoundary("Multipart/Form-Data ;  boundary=xyz") == "xyz")
    }
}
