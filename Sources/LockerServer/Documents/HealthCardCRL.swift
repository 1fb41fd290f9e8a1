import Hummingbird

/// `GET /.well-known/crl/{kid}.json`: SMART Health Cards' revocation list for one key, by
/// revocation id (`method: rid`); `ctr` grows with each revocation, so a verifier knows when
/// its cached copy is stale.
struct HealthCardCRL: ResponseEncodable {
    let kid: String
    let method: String
    let ctr: Int
    let rids: [String]
}
