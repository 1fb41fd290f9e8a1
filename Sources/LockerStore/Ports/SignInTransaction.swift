import Foundation

/// What the sign-in and consent rules may do inside one transaction.
public protocol SignInTransaction {
    /// Rows of `kind` with `key` created after `since`, and when the oldest of them was.
    func recentChallenges(_ kind: ChallengeKind, key: Data, since: Date) throws -> (count: Int, oldest: Date?)
    func insertChallenge(_ challenge: ChallengeRecord) throws
    func challenge(id: String) throws -> ChallengeRecord?
    func updateChallenge(_ challenge: ChallengeRecord) throws
    func insertKYCRequest(_ request: KYCRequestRecord) throws
    func kycRequest(id: String) throws -> KYCRequestRecord?
    func updateKYCRequest(_ request: KYCRequestRecord) throws
    func verifier(id: String) throws -> VerifierRecord?
    func citizen(mobileHash: Data) throws -> CitizenRecord?
    func insertCitizen(_ citizen: CitizenRecord) throws
    func insertSession(_ session: SessionRecord) throws
    /// Marks a session revoked at `at`; false if there is no such session.
    func revokeSession(id: String, at: Date) throws -> Bool
    func appendAudit(_ entry: AuditEntry) throws
}
