import Hummingbird

/// `GET /.well-known/jwks.json`: a JSON Web Key Set (RFC 7517 §5) of the signing keys still
/// published.
struct JWKSResponse: ResponseEncodable {
    let keys: [[String: String]]
}
