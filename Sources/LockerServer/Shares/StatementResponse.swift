import Hummingbird
import LockerCore

/// `200` to a status-scope redemption: `{"statement":"<compact JWS>"}`. Written with
/// `JSONText` (the redemption is the hottest route; `bench/micro.sh json` has the figure).
struct StatementResponse {
    let statement: String

    func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONText.object(["statement": statement]))))
    }
}
