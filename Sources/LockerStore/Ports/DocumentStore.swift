import Foundation

/// Documents as their owner reads them.
public protocol DocumentStore: Sendable {
    /// The document with this id if `ownerID` owns it; one indexed lookup either way.
    func ownedDocument(id: String, ownerID: String) throws -> DocumentRecord?
    /// The document with this URI if `ownerID` owns it (a partner app names documents by URI).
    func ownedDocument(uri: String, ownerID: String) throws -> DocumentRecord?
    /// The owner's documents, newest first.
    func documents(ownerID: String) throws -> [DocumentRecord]
    /// The ids of every revoked document of a type, across citizens, in id order (the
    /// revocation list of SMART Health Cards).
    func revokedDocumentIDs(docType: String) throws -> [String]
}
