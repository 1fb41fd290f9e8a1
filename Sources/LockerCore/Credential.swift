import Crypto
import Foundation

/// Credentials handed to clients: a typed prefix (so a leaked one is recognisable in a scan)
/// and 256 random bits. Stored only as SHA-256 — enough for 256-bit secrets, which cannot be
/// brute-forced, unlike OTPs.
public enum Credential {
    /// `lk_iss_…` issuer API keys, `lk_ver_…` verifier keys, `lk_ses_…` session tokens.
    public static func make(prefix: String) -> String {
        "lk_\(prefix)_" + SecureRandom.token()
    }

    /// The stored form.
    public static func hash(_ credential: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(credential.utf8)))
    }
}
