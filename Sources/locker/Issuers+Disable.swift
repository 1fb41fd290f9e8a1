import Foundation
import LockerCore
import LockerStore

/// Disables a party at once (its key stops working on the next request) and audits it.
func disableParty(_ kind: PartyKind, id: String, options: GlobalOptions) throws {
    let audit = AuditEntry(at: Date(), action: "admin.\(kind.rawValue)-disabled", actor: "admin", detail: [kind.rawValue: id])
    guard try Issuers.store(options).disable(kind, id: id, audit: audit) else { throw CLIError("no \(kind.rawValue) \(id)") }
    if options.json { try printJSON(DisabledParty(id: id, disabled: true)) } else { print("\(kind.rawValue) \(id) disabled") }
}
