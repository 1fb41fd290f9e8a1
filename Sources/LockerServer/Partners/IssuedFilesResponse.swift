import Foundation
import LockerCore
import LockerStore

/// `GET /public/oauth2/2/files/issued` in DigiLocker's shape: one item per certificate, the
/// date as `DD-MM-YYYY`, the size as a string.
struct IssuedFilesResponse: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var name: String
        var type = "file"
        var size: String
        var date: String
        var parent = ""
        var mime: [String]
        var uri: String
        var doctype: String
        var description: String
        var issuerid: String
        var issuer: String
    }

    var items: [Item]
    var resource = "issued"

    /// `pulled`: documents kept by their issuers, with each issuer's name (size and date are the issuer's to tell).
    init(_ documents: [DocumentRecord], issuers: [String: String], pulled: [(PulledDocumentRecord, String)] = []) {
        items = documents.map { d in
            let day = d.issuedOn.split(separator: "-")
            return Item(name: DocTypeNames.name(d.docType), size: String(d.size), date: day.count == 3 ? "\(day[2])-\(day[1])-\(day[0])" : d.issuedOn,
                        mime: [d.contentType], uri: d.uri, doctype: d.docType, description: DocTypeNames.name(d.docType),
                        issuerid: d.issuerID, issuer: issuers[d.issuerID] ?? d.issuerID)
        } + pulled.map { d, issuer in
            Item(name: DocTypeNames.name(d.docType), size: "", date: "", mime: ["application/pdf"], uri: d.uri ?? "", doctype: d.docType,
                 description: DocTypeNames.name(d.docType), issuerid: d.issuerID, issuer: issuer)
        }
    }
}
