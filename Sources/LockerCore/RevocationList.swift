import Foundation

/// A SMART Health Cards revocation list (`/.well-known/crl/{kid}.json`, method `rid`) as an
/// offline verifier caches it. An entry is a card's `rid`, or `rid.TIMESTAMP`: then only
/// cards whose `nbf` is before that time are revoked (the specification's form).
public struct RevocationList: Sendable {
    /// The key whose cards the list covers.
    public let kid: String
    /// Grows with each revocation: a verifier with a lower one is stale.
    public let ctr: Int
    /// Revoked `rid`s, each with the time before which cards are revoked (nil: all of them).
    let entries: [String: Int?]

    /// The file is not a `rid` revocation list.
    public struct Malformed: Error, Sendable {}

    /// Reads `{"kid", "method": "rid", "ctr", "rids": [...]}`.
    public init(json: [UInt8]) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let kid = object["kid"] as? String, object["method"] as? String == "rid",
              let rids = object["rids"] as? [String] else { throw Malformed() }
        self.kid = kid
        ctr = object["ctr"] as? Int ?? 0
        var entries = [String: Int?]()
        for entry in rids {
            let pieces = entry.split(separator: ".", maxSplits: 1).map(String.init)
            guard let rid = pieces.first else { continue }
            let before: Int?
            if pieces.count == 2 {
                guard let time = Int(pieces[1]) else { continue }  // an unreadable timestamp names nothing
                before = time
            } else {
                before = nil
            }
            // The widest entry for a rid wins: a bare rid revokes every card.
            switch entries[rid] {
            case .none: entries.updateValue(before, forKey: rid)
            case .some(.none): continue
            case .some(.some(let had)): entries.updateValue(before.map { max($0, had) }, forKey: rid)
            }
        }
        self.entries = entries
    }

    /// Whether the card with this `rid`, not valid before `notBefore` (seconds), is revoked.
    public func revokes(rid: String, notBefore: Int?) -> Bool {
        guard let entry = entries[rid] else { return false }
        guard let before = entry else { return true }
        return (notBefore ?? Int.min) < before
    }
}
