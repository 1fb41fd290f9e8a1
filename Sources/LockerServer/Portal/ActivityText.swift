import Foundation
import LockerStore

/// Audit events in the words a citizen would use ("IRCTC checked your vaccination status").
enum ActivityText {
    static func describe(_ e: AuditRecord, issuers: [String: String], docTypes: [String: String], labels: [String: String]) -> String {
        let detail = (try? JSONSerialization.jsonObject(with: Data(e.detail.utf8))) as? [String: String] ?? [:]
        let doc = e.documentID.flatMap { docTypes[$0] }.map { "your " + DocTypeNames.phrase($0) } ?? "your certificate"
        let pulled = "your " + DocTypeNames.phrase(detail["docType"] ?? "")
        let pulledDoc = "Y" + pulled.dropFirst()
        let app = detail["partnerName"] ?? detail["partner"] ?? "An app"
        let grant = detail["label"] ?? detail["share"].flatMap { labels[$0] } ?? "a share link"
        switch e.action {
        case "document.pushed": return "\(detail["issuer"] ?? "An issuer") added \(doc)"
        case "document.updated": return "\(detail["issuer"] ?? "An issuer") updated \(doc)"
        case "document.revoked": return "\(detail["issuer"] ?? "The issuer") revoked \(doc)"
        case "document.downloaded": return "You downloaded \(doc)"
        case "document.download-failed": return "A download of \(doc) failed: the stored copy is damaged; nothing was sent"
        case "document.card-made": return "You made a SMART Health Card of \(doc)\(detail["form"] == "file" ? " (file)" : " (QR code)")"
        case "document.download-cut": return "A download of \(doc) stopped part-way: the stored copy is damaged"
        case "auth.signed-in": return "You signed in"
        case "auth.signed-out": return "You signed out"
        case "auth.sign-in-failed": return "Someone entered a wrong sign-in code for your number"
        case "share.created": return "You shared \(doc) with '\(grant)'"
        case "share.revoked": return "You withdrew the share '\(grant)'"
        case "share.redeemed":
            return detail["scope"] == "status" ? "'\(grant)' checked the status of \(doc) via your share" : "\(doc.prefix(1).uppercased() + doc.dropFirst()) was downloaded via the grant '\(grant)'"
        case "share.failed": return "'\(grant)' tried to open \(doc), but the stored copy is damaged; nothing was sent and no use was spent"
        case "share.cut": return "'\(grant)' started downloading \(doc), but it stopped part-way (damaged copy); the use was given back"
        case "share.refused": return "A wrong passcode was tried on the share '\(grant)'"
        case "kyc.requested": return "\(detail["verifierName"] ?? detail["verifier"] ?? "A verifier") asked to check your vaccination status"
        case "kyc.answered", "kyc.confirmed": return "\(detail["verifierName"] ?? detail["verifier"] ?? "A verifier") checked your vaccination status"
        case "admin.citizen-rekeyed": return "Your keys were renewed by an administrator"
        case "document.pull-linked": return "\(pulledDoc) from \(detail["issuer"] ?? "an issuer") was added to your list (it stays with the issuer)"
        case "document.pull-pending": return "\(detail["issuer"] ?? "An issuer") is preparing \(pulled); it appears in your list when ready"
        case "document.pull-announced": return "\(detail["issuer"] ?? "An issuer") added \(pulled) to your list (it stays with the issuer)"
        case "document.pull-updated": return "\(detail["issuer"] ?? "An issuer") updated \(pulled) (it stays with the issuer)"
        case "document.pull-withdrawn": return "\(detail["issuer"] ?? "An issuer") withdrew \(pulled) from your list"
        case "document.pulled": return "You downloaded \(pulled) (fetched from \(detail["issuer"] ?? "the issuer"))"
        case "document.pull-removed": return "You removed \(pulled) from \(detail["issuer"] ?? "an issuer") from your list"
        case "document.pull-failed": return "\(detail["issuer"] ?? "An issuer") could not give you \(pulled): \(detail["reason"] == "person-mismatch" ? "it is issued to someone else" : "it has no such document")"
        case "partner.connected": return "You allowed \(app) to reach your certificates"
        case "partner.listed": return "\(app) looked at the list of your certificates on your behalf"
        case "partner.downloaded": return "\(app) downloaded \(doc) on your behalf"
        case "partner.download-cut": return "\(app) started downloading \(doc), but it stopped part-way (damaged copy)"
        case "partner.disconnected":
            return switch detail["reason"] {
            case "disconnected": "You disconnected \(app)"
            case "revoked-by-partner": "\(app) ended its connection to your certificates"
            default: "\(app) was disconnected because a sign-in code or token of it was used twice (a sign of theft)"
            }
        case "admin.document-revoked":
            return "An administrator revoked \(doc)" + (detail["reason"].map { ": \($0)" } ?? "")
        default: return e.action
        }
    }
}
