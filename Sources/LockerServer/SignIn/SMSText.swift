import Foundation
import LockerCore
import Logging
import Synchronization
import FoundationNetworking

/// The words of the messages Locker sends. The code always comes first, so "the OTP is the
/// first run of 6 digits" holds whatever a verifier writes after it.
enum SMSText {
    /// The KYC-VS consent prompt: the code, the verifier by its registered name, and the
    /// verifier's purpose in quotes (validated: no control, format or separator characters,
    /// no run of 4+ digits).
    static func kycConsent(otp: String, verifierName: String, purpose: String, minutes: Int) -> String {
        "Your Locker consent code is \(otp). Give it to \(verifierName) only if you agree that they check your vaccination status. "
            + "Their stated purpose: \"\(purpose)\". The code expires in \(minutes) minutes."
    }
}
