import Foundation
import Testing
@testable import LockerServer

@Suite("Streaming multipart reader")
struct MultipartStreamTests {
    struct Part: Equatable {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
    }

    /// Feeds `bytes` in pieces of the given sizes (cycled) and collects the parts.
    func parse(_ bytes: [UInt8], boundary: String, chunks: [Int]) throws -> (parts: [Part], complete: Bool) {
        let stream = MultipartStream(boundary: boundary)
        var parts = [Part]()
        var current = Part()
        var inPart = false
        stream.onHeader = { name, value in current.headers[name] = value }
        stream.onBodyStart = { inPart = true }
        stream.onBody = { current.body.append(contentsOf: $0) }
        stream.onPartComplete = {
            #expect(inPart)
            parts.append(current)
            current = Part()
            inPart = false
        }
        var offset = 0
        var k = 0
        while offset < bytes.count {
            let n = min(chunks[k % chunks.count], bytes.count - offset)
            try bytes[offset..<(offset + n)].withUnsafeBytes { try stream.feed($0) }
            offset += n
            k += 1
        }
        return (parts, stream.isComplete)
    }

    let boundary = "----locker7MA4YWxk"

    func body(_ parts: [(String, [UInt8])], preamble: String = "", epilogue: String = "") -> [UInt8] {
        var out = Array(preamble.utf8)
        if !preamble.isEmpty { out += Array("\r\n".utf8) }
        for (headers, content) in parts {
            out += Array("--\(boundary)\r\n\(headers)\r\n".utf8)
            out += content
            out += Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n\(epilogue)".utf8)
        return out
    }

    @Test("parts come out whole however the bytes are split, including a delimiter split across chunks and CRLF-dashes inside content")
    func anySplit() throws {
        var tricky = [UInt8]("%PDF-1.7\r\n--not-the-boundary\r\n\r\n--\(boundary.dropLast())X".utf8)
        tricky += (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let input = body([
            ("Content-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n", Array("{\"a\":1}".utf8)),
            ("Content-Disposition: form-data; name=\"content\"; filename=\"c.pdf\"\r\nContent-Type:   application/pdf  \r\n", tricky),
            ("Content-Disposition: form-data; name=\"signature\"\r\n", []),
        ], preamble: "ignored preamble", epilogue: "ignored epilogue")
        let expected = [
            Part(headers: ["content-disposition": "form-data; name=\"metadata\"", "content-type": "application/json"], body: Array("{\"a\":1}".utf8)),
            Part(headers: ["content-disposition": "form-data; name=\"content\"; filename=\"c.pdf\"", "content-type": "application/pdf"], body: tricky),
            Part(headers: ["content-disposition": "form-data; name=\"signature\""], body: []),
        ]
        for chunks in [[input.count], [1], [2], [3], [7], [19], [64], [1, 500, 3], [boundary.utf8.count + 3]] {
            let (parts, complete) = try parse(input, boundary: boundary, chunks: chunks)
            #expect(complete, "chunks \(chunks)")
            #expect(parts == expected, "chunks \(chunks)")
        }
    }

    @Test("malformed bodies are refused: junk after a boundary, bare LF headers, a header without a name, endless headers")
    func malformed() {
        let cases: [[UInt8]] = [
            Array("--\(boundary)XYZ\r\n\r\nbody\r\n--\(boundary)--".utf8),
            Array("--\(boundary)\nContent-Type: a\n\nbody\r\n--\(boundary)--".utf8),
            Array("--\(boundary)\r\n: nameless\r\n\r\nbody\r\n--\(boundary)--".utf8),
            Array("--\(boundary)\r\nX-Long: \(String(repeating: "a", count: 9000))\r\n\r\nbody\r\n--\(boundary)--".utf8),
        ]
        for input in cases {
            #expect(throws: MultipartStream.Malformed.self) { _ = try parse(input, boundary: boundary, chunks: [5]) }
        }
    }

    @Test("a body cut off before the closing boundary is not complete")
    func truncated() throws {
        let input = body([("Content-Disposition: form-data; name=\"metadata\"\r\n", Array("{}".utf8))])
        let cut = Array(input.dropLast(8))
        let (_, complete) = try parse(cut, boundary: boundary, chunks: [4])
        #expect(!complete)
        let stream = MultipartStream(boundary: boundary)
        try cut.withUnsafeBytes { try stream.feed($0) }
        #expect(throws: MultipartStream.Malformed.self) { try stream.finish() }
    }
}
