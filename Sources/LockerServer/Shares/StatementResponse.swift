import Hummingbird
import LockerCore

/// `200` to a status-scope redemption: `{"statement":"<compact JWS>"}`, and `"qr"` (the status
/// QR text, `locker:/…`) when the redemption asked for it. Written with `JSONText` (the
/// redemption is the hottest route; `bench/micro.sh json` has the figure).
struct StatementResponse {
    let statement: String
    var qr: String? = nil

    func response() -> Response {
        var fields = ["statement": statement]
        if let qr { fields["qr"] = qr }
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: JSONText.object(fields))))
    }
}
