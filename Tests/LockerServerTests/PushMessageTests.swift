import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import LockerCore
import Testing
@testable import LockerServer

@Suite("Push errors that name the mistake")
struct PushMessageTests {
    let cowin = TestIssuer(id: "in.gov.cowin")

    func push(signature: String, metadata: [String: Any] = Harness.vacer("+919800000001", docId: "D1")) async throws -> [String: Any] {
        let h = try Harness()
        try h.register(cowin)
        let meta = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        let body = Harness.multipart([("metadata", "application/json", Array(meta)), ("content", "application/pdf", [1, 2, 3]), ("signature", nil, Array(signature.utf8))])
        let (status, type, detail) = try await h.app().test(.router) { client in
            let r = try await client.push(cowin, body)
            let object = try problem(r)
            return (Int(r.status.code), object["type"] as? String, object["detail"] as? String)
        }
        #expect(try h.vault.blobs.fileIDs().isEmpty)
        var answer: [String: Any] = ["status": status]
        answer["type"] = type
        answer["detail"] = detail
        return answer
    }

    /// The correct signature's bytes for the default metadata and content [1, 2, 3].
    func signatureBytes() throws -> [UInt8] {
        let meta = try JSONSerialization.data(withJSONObject: Harness.vacer("+919800000001", docId: "D1"), options: [.sortedKeys])
        let message = PushSignature.message(metadataSHA256: Array(SHA256.hash(data: meta)), contentSHA256: Array(SHA256.hash(data: [UInt8]([1, 2, 3]))))
        return Array(try cowin.key.signature(for: message))
    }

    @Test("a signature in hex, padded or standard base64 is 'not base64url', not 'does not verify'")
    func encodings() async throws {
        let bytes = try signatureBytes()
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let padded = Data(bytes).base64EncodedString()
        for (text, why) in [(hex, "hex"), (padded, "padded"), (Base64URL.encode(bytes.prefix(40)), "40 bytes"), ("", "empty")] {
            let answer = try await push(signature: text)
            #expect(answer["status"] as? Int == 422)
            #expect(answer["type"] as? String == "/problems/bad-signature")
            let detail = answer["detail"] as? String ?? ""
            #expect(detail.contains("not base64url") && detail.contains(why), "\(detail)")
            #expect(!detail.contains("does not verify"))
        }
        let forged = try await push(signature: Base64URL.encode(Array(try Curve25519.Signing.PrivateKey().signature(for: [1]))))
        #expect((forged["detail"] as? String)?.contains("does not verify") == true)
    }

    @Test("metadata without a required field names the field")
    func missingFields() async throws {
        let signature = Base64URL.encode(try signatureBytes())
        for field in ["claims", "mobile", "docType", "docId", "issuedOn"] {
            var metadata = Harness.vacer("+919800000001", docId: "D1")
            metadata[field] = nil
            let answer = try await push(signature: signature, metadata: metadata)
            #expect(answer["status"] as? Int == 400)
            #expect(answer["detail"] as? String == "The metadata lacks the required field \(field) (required: mobile, docType, docId, issuedOn, claims).")
        }
        var wrongType = Harness.vacer("+919800000001", docId: "D1")
        wrongType["claims"] = "none"
        #expect(try await push(signature: signature, metadata: wrongType)["detail"] as? String == "The metadata field claims must be an object.")
        var nested = Harness.vacer("+919800000001", docId: "D1")
        nested["claims"] = ["name": ["first": "Asha"]]
        #expect(try await push(signature: signature, metadata: nested)["detail"] as? String == "The metadata field claims.name must be a string, an integer or a boolean.")
    }
}
