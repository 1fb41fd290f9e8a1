import Foundation

/// OTP challenges (sign-in and KYC-VS consent), citizens and sessions.
public protocol SignInStore: Sendable {
    /// The session with this token hash and its citizen (revoked and expired ones included:
    /// the caller judges them).
    func session(tokenHash: Data) throws -> (SessionRecord, CitizenRecord)?
    /// A KYC-VS request and the verifier that made it.
    func kycRequest(id: String) throws -> (KYCRequestRecord, VerifierRecord)?
    /// Runs `work` in one durable write transaction (the group commit on SQLite).
    func inSignInTransaction<T: Sendable>(_ work: @escaping @Sendable (any SignInTransaction) throws -> T) async throws -> T
}

