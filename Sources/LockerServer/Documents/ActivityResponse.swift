import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// `GET /v1/activity`: events newest first, and `next` (the cursor for the following page,
/// null on the last). `documentId` and `next` are written as null, not left out.
struct ActivityResponse: ResponseEncodable {
    /// One audited event as the citizen sees it.
    struct Event: Encodable {
        let seq: Int64
        let at: String
        let action: String
        let actor: String
        let documentId: String?
        let detail: [String: String]

        init(_ e: AuditRecord) {
            seq = e.seq ?? 0
            at = Timestamp.string(e.at)
            action = e.action
            actor = e.actor
            documentId = e.documentID
            detail = (try? JSONDecoder().decode([String: String].self, from: Data(e.detail.utf8))) ?? [:]
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(seq, forKey: .seq)
            try c.encode(at, forKey: .at)
            try c.encode(action, forKey: .action)
            try c.encode(actor, forKey: .actor)
            try c.encode(documentId, forKey: .documentId)
            try c.encode(detail, forKey: .detail)
        }

        enum CodingKeys: String, CodingKey { case seq, at, action, actor, documentId, detail }
    }

    let events: [Event]
    let next: Int64?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(events, forKey: .events)
        try c.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case events, next }
}
