import Foundation
import LockerCore
import LockerStore

/// Status QR codes (`StatusQR`): a signed statement for a verifier with no network.
extension StatusService {
    /// The `locker:/` text of a signed statement (a KYC-VS answer or a share statement): its
    /// own payload, raw-DEFLATE-compressed and signed again by the active status key, so the
    /// QR carries exactly what the statement carries.
    public func qrText(statement: String, now: Date) throws -> String {
        let signer = try signingKey(now: now)
        return StatusQR.text(try StatusQR.compressedJWS(statement: statement, kid: signer.record.kid, key: signer.key))
    }
}
