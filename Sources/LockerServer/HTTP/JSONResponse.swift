import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// JSON bodies built from plain dictionaries, with `no-store`: every answer is personal.
enum JSONResponse {
    static func make(_ object: Any, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try bytes(object)
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.cacheControl] = "no-store"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// JSON text with sorted keys; `JSONText` for the plain values handlers build, Foundation's
    /// serializer for anything it does not take (values parsed back out of JSON).
    static func bytes(_ object: Any) throws -> [UInt8] {
        do {
            return try JSONText.encode(object)
        } catch is JSONText.Unsupported {
            return [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        }
    }

    /// An `Encodable` value as JSON (ISO 8601 dates, sorted keys), `no-store`.
    static func encode<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func timestamp(_ date: Date) -> String {
        Timestamp.string(date)
    }
}
