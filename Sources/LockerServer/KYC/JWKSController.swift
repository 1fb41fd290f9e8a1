import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// `GET /.well-known/jwks.json`: the public keys that verify status answers (Ed25519) and
/// SMART Health Cards (every P-256 card key, retired ones too, each `kid` its RFC 7638 thumbprint).
struct JWKSController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.get("/.well-known/jwks.json") { _, _ -> Response in
            let now = services.clock()
            _ = try services.vault.activeSigningKey(now: now)
            var keys = try services.vault.publishedSigningKeys(now: now).map { CompactJWS.jwk(kid: $0.kid, publicKey: [UInt8]($0.publicKey)) }
            keys += try services.vault.publishedCardKeys(now: now).map { HealthCardJWS.jwk($0) }
            return try JSONResponse.encode(JWKSResponse(keys: keys)).withCacheControl("public, max-age=300")
        }
    }
}
