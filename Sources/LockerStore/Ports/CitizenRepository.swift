import Foundation
import GRDB

/// Citizens, by id or by keyed mobile hash.
public protocol CitizenRepository: Sendable {
    func insert(_ citizen: CitizenRecord) throws
    func find(id: String) throws -> CitizenRecord?
    func find(mobileHash: Data) throws -> CitizenRecord?
    /// How many data keys each KEK version wraps.
    func countByKEKVersion() throws -> [Int: Int]
}
