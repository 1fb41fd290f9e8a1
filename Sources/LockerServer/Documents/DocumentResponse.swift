import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// The public shape of a document's metadata (`docs/api.md`, Document object). `claims`,
/// `signedMetadata` and `signature` appear on the owner's single-document answer; `result` on
/// an issuer's push answer.
struct DocumentResponse: ResponseEncodable {
    let id: String
    let uri: String
    let issuerId: String
    let issuerName: String
    let docType: String
    let issuedOn: String
    let version: Int
    let size: Int
    let contentType: String
    let sha256: String
    let revoked: Bool
    let createdAt: String
    let updatedAt: String
    var claims: [String: ClaimValue]?
    var signedMetadata: String?
    var signature: String?
    var result: String?

    init(_ d: DocumentRecord, issuerName: String) {
        id = d.id
        uri = d.uri
        issuerId = d.issuerID
        self.issuerName = issuerName
        docType = d.docType
        issuedOn = d.issuedOn
        version = d.version
        size = d.size
        contentType = d.contentType
        sha256 = Hex.encode(d.contentSHA256)
        revoked = d.revokedAt != nil
        createdAt = Timestamp.string(d.createdAt)
        updatedAt = Timestamp.string(d.updatedAt)
    }
}
