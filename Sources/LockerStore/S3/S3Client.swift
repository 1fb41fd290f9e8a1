import AsyncHTTPClient
import Foundation
import Glibc
import LockerCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The few S3 calls the blob store makes (PUT, ranged GET, DELETE, ListObjectsV2), path-style,
/// signed with `SigV4`. Synchronous: each call waits for its answer, so it must run on a thread
/// that may block (the blocking-I/O pool, the housekeeper, the CLI); the HTTP work itself runs on
/// an event-loop group of its own, so a caller never waits on a loop it occupies.
public final class S3Client: Sendable {
    /// The bucket and endpoint.
    public let location: S3Location
    let signer: SigV4
    let http: HTTPClient
    private let host: String

    /// The client's own loops: never the server's, so waiting for an answer cannot starve the
    /// loop that would deliver it.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// A client for `location` signing with `credentials`.
    public init(location: S3Location, credentials: S3Credentials) {
        self.location = location
        signer = SigV4(accessKey: credentials.accessKey, secretKey: credentials.secretKey, region: location.region)
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(30))
        configuration.connectionPool = .init(idleTimeout: .seconds(30))
        http = HTTPClient(eventLoopGroupProvider: .shared(Self.group), configuration: configuration)
        let components = URLComponents(string: location.endpoint)
        let port = components?.port.map { ":\($0)" } ?? ""
        host = (components?.host ?? "") + port
    }

    /// Shut down without blocking: a client may go away on an event-loop thread (start-up).
    deinit { http.shutdown { _ in } }

    /// One request, signed, waited for. A refused connection, a timeout or a 5xx answer throws
    /// `S3Unavailable`; other statuses are returned for the caller to judge.
    func send(_ method: HTTPMethod, key: String?, query: [(String, String)] = [], headers extra: [(String, String)] = [],
              body: HTTPClient.Body? = nil, payloadHash: String = SigV4.emptyPayloadHash) throws -> HTTPClient.Response {
        var path = "/" + SigV4.encode(location.bucket)
        if let key { path += "/" + SigV4.encode(key, keepSlash: true) }
        let queryText = query.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        for (name, value) in extra { headers.add(name: name, value: value) }
        let signed = signer.sign(method: method.rawValue, path: path, query: query, headers: [("host", host)] + extra, payloadHash: payloadHash, date: Date())
        for (name, value) in signed { headers.add(name: name, value: value) }
        let response: HTTPClient.Response
        do {
            let request = try HTTPClient.Request(url: location.endpoint + path + (queryText.isEmpty ? "" : "?" + queryText), method: method, headers: headers, body: body)
            response = try Self.await(http.execute(request: request, deadline: .now() + .seconds(60)))
        } catch {
            throw S3Unavailable("cannot reach the object store \(location): \(Self.describe(error))")
        }
        if response.status.code >= 500 {
            throw S3Unavailable("the object store \(location) answered \(response.status.code) \(Self.errorCode(response) ?? "")")
        }
        return response
    }

    /// Stores `length` bytes read from `fd` (from offset 0) under `key`; returns once the store
    /// acknowledged them (200). `sha256` is the bytes' hex digest, signed as the payload hash.
    func put(key: String, fd: Int32, length: Int, sha256: String) throws {
        let loop = Self.group.next()
        let chunk = 1 << 20
        let body = HTTPClient.Body.stream(contentLength: Int64(length)) { writer in
            @Sendable func next(_ offset: Int) -> EventLoopFuture<Void> {
                guard offset < length else { return loop.makeSucceededVoidFuture() }
                let n = min(chunk, length - offset)
                var buffer = ByteBufferAllocator().buffer(capacity: n)
                do {
                    let got = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: n) { raw in
                        try POSIXFile.pread(fd, into: raw, count: n, offset: offset, path: "blob temp file")
                    }
                    guard got == n else { throw StoreError("blob temp file shorter than written") }
                } catch {
                    return loop.makeFailedFuture(error)
                }
                return writer.write(.byteBuffer(buffer)).flatMap { next(offset + n) }
            }
            return next(0)
        }
        let response = try send(.PUT, key: key, body: body, payloadHash: sha256)
        guard response.status == .ok else { throw refused("PUT", response) }
    }

    /// Bytes `range` of `key` (all of it when nil), with the object's total size.
    func get(key: String, range: Range<Int>?) throws -> (bytes: ByteBuffer, total: Int) {
        let headers = range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound - 1)")] } ?? []
        let response = try send(.GET, key: key, headers: headers)
        let body = response.body ?? ByteBuffer()
        switch response.status {
        case .ok:
            return (body, body.readableBytes)
        case .partialContent:
            // Content-Range: bytes FIRST-LAST/TOTAL
            guard let text = response.headers.first(name: "content-range"), let slash = text.lastIndex(of: "/"),
                  let total = Int(text[text.index(after: slash)...]) else { throw StoreError("the object store sent a ranged answer without its total size") }
            return (body, total)
        case .notFound:
            throw StoreError("blob \(key) is missing from the object store \(location)")
        default:
            throw refused("GET", response)
        }
    }

    /// Removes `key`; a missing object is not an error.
    func delete(key: String) throws {
        let response = try send(.DELETE, key: key)
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else { throw refused("DELETE", response) }
    }

    /// One page of ListObjectsV2 under `prefix`: keys with their last-modified time.
    func list(prefix: String, continuation: String?) throws -> (objects: [(key: String, modified: Date)], next: String?) {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
        if let continuation { query.append(("continuation-token", continuation)) }
        let response = try send(.GET, key: nil, query: query)
        guard response.status == .ok else { throw refused("ListObjectsV2", response) }
        return S3ListParser.parse(String(buffer: response.body ?? ByteBuffer()))
    }

    /// Proves at start-up that the bucket is there and the credentials are accepted.
    public func check() throws {
        let response = try send(.GET, key: nil, query: [("list-type", "2"), ("max-keys", "1")])
        guard response.status == .ok else { throw refused("ListObjectsV2", response) }
    }

    private func refused(_ what: String, _ response: HTTPClient.Response) -> StoreError {
        StoreError("the object store \(location) refused \(what): \(response.status.code) \(Self.errorCode(response) ?? response.status.reasonPhrase)")
    }

    /// The `<Code>` of an S3 error body (`AccessDenied`, `NoSuchBucket`, …).
    static func errorCode(_ response: HTTPClient.Response) -> String? {
        guard let body = response.body else { return nil }
        return S3ListParser.values(of: "Code", in: String(buffer: body)).first
    }

    /// Waits for `future` on a semaphore: NIO's `wait()` refuses any event-loop thread, and
    /// lockerd's start-up runs on one (its loops are the global executor). The answer arrives on
    /// this client's own loops, so the waiting thread never holds the loop that delivers it.
    static func await<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = NIOLockedValueBox<Result<T, any Error>?>(nil)
        future.whenComplete { result in
            box.withLockedValue { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLockedValue { $0! }.get()
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 160 ? String(text.prefix(160)) : text
    }
}
