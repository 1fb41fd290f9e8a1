import Foundation
import LockerCore

/// How `locker verify-qr` shows a verdict: a line saying VALID or INVALID (with the reason's
/// stable word), the kind and key id, then the claims once the signature verified; or all of
/// it as one JSON object.
struct QRVerdictOutput {
    let verdict: QRVerdict

    func write(json: Bool) throws {
        let claims = verdict.claims.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) }
        if json {
            let object: [String: Any] = [
                "valid": verdict.isValid, "kind": Self.orNull(verdict.kind?.rawValue), "kid": Self.orNull(verdict.kid),
                "failure": Self.orNull(verdict.failure?.rawValue), "detail": verdict.detail, "claims": Self.orNull(claims),
            ]
            print(try Self.text(object))
            return
        }
        if let failure = verdict.failure {
            print("INVALID (\(failure.rawValue)): \(verdict.detail)")
        } else {
            print("VALID: \(verdict.detail)")
        }
        if let kind = verdict.kind { print("kind: \(kind.rawValue)") }
        if let kid = verdict.kid { print("kid: \(kid)") }
        if let claims { print("claims: \(try Self.text(claims))") }
    }

    static func orNull(_ value: Any?) -> Any { value ?? NSNull() }

    /// Pretty JSON, keys sorted, slashes as they are.
    static func text(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
