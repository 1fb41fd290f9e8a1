import ArgumentParser
import Foundation
import LockerCore
import LockerStore

extension Issuers {
    /// Seals the pull issuer's key with the vault's keys and registers it (audited).
    static func registerPull(_ pending: (PullIssuerRecord, [UInt8]), options: GlobalOptions, pushed: Added?) throws {
        var (record, key) = pending
        let vault = try Keys.vault(options)
        record.keySealed = try vault.sealPullKey(key, issuerID: record.id)
        let audit = AuditEntry(at: Date(), action: "admin.pull-issuer-added", actor: "admin", detail: ["issuer": record.id, "docTypes": record.docTypes, "url": record.url])
        guard try store(options).addPullIssuer(record, audit: audit) else { throw CLIError("pull issuer \(record.id) already exists") }
        if options.json {
            struct Report: Encodable {
                var id: String; var name: String; var pullURL: String; var pullDocTypes: [String]; var pullFields: [PullIssuerRecord.Field]
                var docTypes: [String]?; var apiKey: String?
            }
            return try printJSON(Report(id: record.id, name: record.name, pullURL: record.url, pullDocTypes: record.docTypeList, pullFields: record.fieldList,
                                        docTypes: pushed?.docTypes, apiKey: pushed?.apiKey))
        }
        if let pushed {
            print("issuer \(pushed.id) (\(pushed.name)) registered; may issue: \(pushed.docTypes.joined(separator: ", "))")
            print("API key (shown once, store it now): \(pushed.apiKey)")
        }
        print("pull issuer \(record.id) (\(record.name)) registered at \(record.url); asked for: \(record.docTypeList.joined(separator: ", ")); the citizen fills: \(record.fieldList.map(\.label).joined(separator: ", "))")
    }
}
