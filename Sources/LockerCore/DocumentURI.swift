import Foundation

/// A document URI, `issuerId-DOCTYPE-docId`, as DigiLocker forms them.
public struct DocumentURI: Sendable, Hashable, CustomStringConvertible {
    public let issuerID: String
    public let docType: String
    public let docID: String

    public init?(issuerID: String, docType: String, docID: String) {
        guard Validate.issuerID(issuerID), Validate.docType(docType), Validate.docID(docID) else { return nil }
        self.issuerID = issuerID
        self.docType = docType
        self.docID = docID
    }

    /// Parses `issuer-TYPE-docId`; nil for anything malformed.
    public init?(_ string: String) {
        guard let first = string.firstIndex(of: "-") else { return nil }
        let rest = string[string.index(after: first)...]
        guard let second = rest.firstIndex(of: "-") else { return nil }
        self.init(issuerID: String(string[..<first]), docType: String(rest[..<second]), docID: String(rest[rest.index(after: second)...]))
    }

    public var description: String { "\(issuerID)-\(docType)-\(docID)" }
}
