import Foundation
import Hummingbird
import LockerCore

/// Decodes JSON request bodies, refusing a key repeated in one object before decoding: parsers
/// disagree on which copy wins, so a body that means one thing here and another elsewhere is
/// never acted on (`JSONDuplicateKeys`).
public struct LockerRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if let refusal = buffer.withUnsafeReadableBytes({ JSONDuplicateKeys.refusal($0) }) {
            throw Problem.badRequest("The JSON body \(refusal).")
        }
        return try JSONDecoder().decode(T.self, from: buffer)
    }
}
