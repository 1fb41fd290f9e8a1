import Foundation

/// What a status answer reads: the citizen with a keyed mobile hash and the vaccination
/// certificates a status may count, newest first (unrevoked, from an enabled issuer registered
/// for `VACER`, issued no later than `issuedNoLaterThan`).
public protocol StatusStore: Sendable {
    func vaccinationCertificates(mobileHash: Data, issuedNoLaterThan: String) throws -> (CitizenRecord, [DocumentRecord])?
}
