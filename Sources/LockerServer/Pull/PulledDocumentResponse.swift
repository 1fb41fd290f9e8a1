import Foundation
import LockerStore

/// A pulled document as the API shows it: where it is kept (the issuer), never its bytes.
struct PulledDocumentResponse: Encodable, Sendable {
    var id: String
    var issuerId: String
    var issuerName: String
    var docType: String
    var uri: String?
    var status: String
    var createdAt: Date
    var updatedAt: Date

    init(_ r: PulledDocumentRecord, issuerName: String) {
        id = r.id
        issuerId = r.issuerID
        self.issuerName = issuerName
        docType = r.docType
        uri = r.uri
        status = r.status.rawValue
        createdAt = r.createdAt
        updatedAt = r.updatedAt
    }

    enum CodingKeys: CodingKey { case id, issuerId, issuerName, docType, uri, status, createdAt, updatedAt }

    func encode(to encoder: any Encoder) throws {  // uri is null while pending, never missing
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(issuerId, forKey: .issuerId)
        try c.encode(issuerName, forKey: .issuerName)
        try c.encode(docType, forKey: .docType)
        try c.encode(uri, forKey: .uri)
        try c.encode(status, forKey: .status)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
