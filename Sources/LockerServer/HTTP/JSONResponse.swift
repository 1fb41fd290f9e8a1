import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// JSON answers from typed values (`ResponseEncodable` structs), with `no-store`: every
/// answer is personal.
enum JSONResponse {
    /// Sorted keys, `/` unescaped, ISO 8601 dates; configured once, never changed after.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// An `Encodable` value as JSON, `no-store`.
    static func encode<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
