import Foundation
import FoundationNetworking
import LockerCore
import LockerStore

/// Talks to one pull issuer: sends a signed request, checks the answer (HTTP status, the
/// optional answer HMAC, the echoed `ts` and `txn`, the status) and returns it parsed.
struct PullIssuerClient: Sendable {
    static let maxAnswerBytes = 20 << 20
    static let shared = BoundedFetch(limit: maxAnswerBytes)

    let issuer: PullIssuerRecord
    let key: [UInt8]
    let timeout: Duration

    func send(_ request: PullRequestXML) async throws -> PullAnswer {
        guard let url = URL(string: issuer.url) else { throw PullFailure.issuerFailed("the registered URL is unusable") }
        var http = URLRequest(url: url, timeoutInterval: Double(timeout.components.seconds) + 1)
        http.httpMethod = "POST"
        http.setValue("application/xml", forHTTPHeaderField: "Content-Type")
        http.setValue(PullRequestXML.hmac(request.body, key: key), forHTTPHeaderField: "x-digilocker-hmac")
        http.httpBody = request.body
        let (response, body) = try await Self.shared.post(http, deadline: timeout)
        guard response.statusCode == 200 else { throw PullFailure.issuerFailed("HTTP \(response.statusCode)") }
        if let signature = response.value(forHTTPHeaderField: "x-digilocker-hmac"),
           !ConstantTime.equal(Array(signature.utf8), Array(PullRequestXML.hmac(body, key: key).utf8)) {
            throw PullFailure.issuerFailed("the answer's HMAC does not match")
        }
        let answer = try PullAnswer.parse(body)
        guard answer.ts == request.ts, answer.txn == request.txn else { throw PullFailure.issuerFailed("the answer does not echo this request's ts and txn") }
        return answer
    }
}
