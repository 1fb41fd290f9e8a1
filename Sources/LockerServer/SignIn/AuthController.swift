import Foundation
import Hummingbird
import LockerCore
import LockerStore

/// OTP sign-in routes: ask for a code, trade it for a session, log out. Parses, calls
/// `SignInService`, encodes.
struct AuthController {
    let services: LockerServices

    func addRoutes(to router: Router<LockerRequestContext>) {
        router.post("/v1/auth/otp", use: requestOTP)
        router.post("/v1/auth/token", use: token)
        router.post("/v1/auth/logout", use: logout)
    }

    struct OTPRequest: Decodable { let mobile: String }
    struct TokenRequest: Decodable { let challengeId: String; let otp: String }

    /// `202` to `POST /v1/auth/otp`.
    struct ChallengeResponse: ResponseEncodable { let challengeId: String; let expiresAt: String }
    /// `200` to `POST /v1/auth/token`.
    struct SessionResponse: ResponseEncodable { let token: String; let tokenType: String; let expiresAt: String }

    /// `POST /v1/auth/otp`: the same 202 whether or not the number has an account.
    @Sendable func requestOTP(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: OTPRequest.self, context: context)
        let challenge = try await services.signIn.startSignIn(mobile: body.mobile, clientAddress: context.clientAddress, logger: context.logger)
        return try JSONResponse.encode(ChallengeResponse(challengeId: challenge.id, expiresAt: Timestamp.string(challenge.expiresAt)), status: .accepted)
    }

    /// `POST /v1/auth/token`: the code for a session. Every try counts, wrong ones included.
    @Sendable func token(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let body = try await request.decode(as: TokenRequest.self, context: context)
        let (token, expiresAt) = try await services.signIn.finishSignIn(challengeID: body.challengeId, code: body.otp)
        return try JSONResponse.encode(SessionResponse(token: token, tokenType: "Bearer", expiresAt: Timestamp.string(expiresAt)))
    }

    /// `POST /v1/auth/logout`: the session stops working at once.
    @Sendable func logout(_ request: Request, context: LockerRequestContext) async throws -> Response {
        let (session, citizen) = try Authenticate.session(request, services: services)
        try await services.signIn.endSession(session, citizen: citizen)
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }
}
