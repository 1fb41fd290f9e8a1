import Foundation
import GRDB

/// Documents' metadata.
public protocol DocumentRepository: Sendable {
    /// Inserts a new document or replaces the row with the same id.
    func save(_ document: DocumentRecord) throws
    func find(id: String) throws -> DocumentRecord?
    func find(uri: String) throws -> DocumentRecord?
    func list(ownerID: String) throws -> [DocumentRecord]
    /// Every blob id a row references, for the start-up sweep.
    func referencedBlobIDs() throws -> Set<String>
}
