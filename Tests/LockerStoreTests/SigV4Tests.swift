import Foundation
import Testing
@testable import LockerStore

/// AWS Signature Version 4 against AWS's published examples: the S3 "GET Object" and "GET
/// Bucket (List Objects)" examples of the S3 API reference (header-based authentication) and
/// the `get-vanilla` case of the SigV4 test suite.
@Suite("SigV4 signing (AWS test vectors)")
struct SigV4Tests {
    static let s3 = SigV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
    static let may24 = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    static func signature(_ headers: [(String, String)]) -> String? {
        guard let auth = headers.first(where: { $0.0 == "Authorization" })?.1, let range = auth.range(of: "Signature=") else { return nil }
        return String(auth[range.upperBound...])
    }

    @Test("S3 GET Object with Range: canonical request hash and signature as published")
    func getObject() {
        let headers = [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]
        let signed = Self.s3.sign(method: "GET", path: "/test.txt", query: [], headers: headers, payloadHash: SigV4.emptyPayloadHash, date: Self.may24)
        #expect(Self.signature(signed) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        let auth = signed.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(auth.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "))
        let canonical = Self.s3.canonicalRequest(
            method: "GET", path: "/test.txt", query: [],
            headers: [("host", "examplebucket.s3.amazonaws.com"), ("range", "bytes=0-9"), ("x-amz-content-sha256", SigV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date", payloadHash: SigV4.emptyPayloadHash)
        #expect(SigV4.hash(Array(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
    }

    @Test("S3 GET Bucket (List Objects) with a query string: signature as published")
    func listObjects() {
        let signed = Self.s3.sign(method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [("Host", "examplebucket.s3.amazonaws.com")],
                                  payloadHash: SigV4.emptyPayloadHash, date: Self.may24)
        #expect(Self.signature(signed) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("SigV4 test suite get-vanilla (service 'service', no payload header)")
    func getVanilla() {
        let signer = SigV4(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
        let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z
        let signed = signer.sign(method: "GET", path: "/", query: [], headers: [("Host", "example.amazonaws.com")], payloadHash: SigV4.emptyPayloadHash, date: date)
        #expect(Self.signature(signed) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(!signed.contains { $0.0 == "x-amz-content-sha256" })
    }

    @Test("a wrong secret, another time or another range gives another signature")
    func negatives() {
        let headers = [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]
        let good = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        let wrongSecret = SigV4(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ", region: "us-east-1")
        #expect(Self.signature(wrongSecret.sign(method: "GET", path: "/test.txt", query: [], headers: headers, payloadHash: SigV4.emptyPayloadHash, date: Self.may24)) != good)
        #expect(Self.signature(Self.s3.sign(method: "GET", path: "/test.txt", query: [], headers: headers, payloadHash: SigV4.emptyPayloadHash, date: Self.may24 + 1)) != good)
        #expect(Self.signature(Self.s3.sign(method: "GET", path: "/test.txt", query: [], headers: [headers[0], ("Range", "bytes=0-10")],
                                            payloadHash: SigV4.emptyPayloadHash, date: Self.may24)) != good)
    }

    @Test("the secret never appears in a description or the Authorization header")
    func secretNotShown() {
        let credentials = S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        #expect(!"\(credentials)".contains("wJalr"))
        let signed = Self.s3.sign(method: "GET", path: "/", query: [], headers: [("Host", "h")], payloadHash: SigV4.emptyPayloadHash, date: Self.may24)
        #expect(!signed.contains { $0.1.contains("wJalr") })
    }

    @Test("s3:// locations parse; bad ones are refused with one line")
    func locations() throws {
        let location = try S3Location("s3://locker-blobs?endpoint=http://127.0.0.1:8333/&region=eu-west-1&grace=60")
        #expect(location.bucket == "locker-blobs" && location.endpoint == "http://127.0.0.1:8333" && location.region == "eu-west-1" && location.graceSeconds == 60)
        #expect(try S3Location("s3://b12?endpoint=https://s3.example.com").region == "us-east-1")
        for bad in ["s3://bucket", "http://bucket?endpoint=http://h", "s3://Bucket?endpoint=http://h", "s3://bucket?endpoint=ftp://h",
                    "s3://bucket?endpoint=http://h&colour=red", "s3://bucket/key?endpoint=http://h", "s3://bucket?endpoint=http://h&grace=0"] {
            #expect(throws: StoreError.self) { try S3Location(bad) }
        }
    }

    @Test("credentials files: KEY=VALUE and AWS shared-credentials [default]; missing keys refused")
    func credentialFiles() throws {
        let plain = try S3Credentials.parse("AWS_ACCESS_KEY_ID=abc\nAWS_SECRET_ACCESS_KEY=s3cr3t\n", source: "f")
        #expect(plain.accessKey == "abc" && plain.secretKey == "s3cr3t")
        let shared = try S3Credentials.parse("[other]\naws_access_key_id = x\naws_secret_access_key = y\n[default]\naws_access_key_id = k\naws_secret_access_key = s\n", source: "f")
        #expect(shared.accessKey == "k" && shared.secretKey == "s")
        #expect(throws: StoreError.self) { try S3Credentials.parse("aws_access_key_id=only\n", source: "f") }
    }

    @Test("ListObjectsV2 answers: keys, times and the continuation token")
    func listParsing() {
        let xml = """
            <?xml version="1.0"?><ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>blobs/ab&amp;c</Key>\
            <LastModified>2026-12-04T21:00:00.000Z</LastModified></Contents><Contents><Key>blobs/d</Key>\
            <LastModified>2026-12-04T21:00:01Z</LastModified></Contents><NextContinuationToken>tok</NextContinuationToken></ListBucketResult>
            """
        let page = S3ListParser.parse(xml)
        #expect(page.objects.map(\.key) == ["blobs/ab&c", "blobs/d"])
        #expect(page.objects[0].modified == Date(timeIntervalSince1970: 1_796_418_000))
        #expect(page.next == "tok")
    }
}
