import Foundation
import LockerCore

/// One event for the audit chain, as a feature service words it. A port appends it in the
/// same transaction as the change it describes, so a change and its record stand or fall
/// together; the adapter links it into the hash chain (`AuditLog`).
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var action: String
    public var actor: String
    public var citizenID: String?
    public var documentID: String?
    /// Action-specific details as a JSON object; never a secret or a contact detail.
    public var detailJSON: String

    public init(at: Date, action: String, actor: String, citizenID: String? = nil, documentID: String? = nil, detail: [String: String] = [:]) {
        self.init(at: at, action: action, actor: actor, citizenID: citizenID, documentID: documentID, detailJSON: JSONText.object(detail))
    }

    public init(at: Date, action: String, actor: String, citizenID: String? = nil, documentID: String? = nil, detailJSON: String) {
        self.at = at
        self.action = action
        self.actor = actor
        self.citizenID = citizenID
        self.documentID = documentID
        self.detailJSON = detailJSON
    }
}
