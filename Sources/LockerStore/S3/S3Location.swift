import Foundation

/// Where sealed blobs go: `s3://BUCKET?endpoint=URL&region=R[&grace=SECONDS]`, as
/// `--blob-store` takes it. Path-style addressing (`ENDPOINT/BUCKET/KEY`), so any
/// S3-compatible store works (AWS S3, MinIO, Ceph RGW, SeaweedFS).
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    /// The bucket's name.
    public var bucket: String
    /// `http(s)://HOST[:PORT]` of the store, without a trailing slash.
    public var endpoint: String
    /// The signing region (default `us-east-1`).
    public var region: String
    /// Seconds an unreferenced object is left alone before the sweep removes it (default 3600):
    /// longer than any push takes between its object's PUT and its row's commit.
    public var graceSeconds: Int

    /// Parses `text`; throws one line naming what is wrong.
    public init(_ text: String) throws {
        let usage = "expected s3://BUCKET?endpoint=http(s)://HOST[:PORT]&region=REGION"
        guard let components = URLComponents(string: text), components.scheme?.lowercased() == "s3",
              let bucket = components.host, !bucket.isEmpty, components.path.isEmpty || components.path == "/" else {
            throw StoreError("invalid blob store \(text.debugDescription): \(usage)")
        }
        guard bucket.count >= 3, bucket.count <= 63,
              bucket.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d || $0 == 0x2e }) else {
            throw StoreError("invalid bucket name \(bucket.debugDescription): 3-63 lower-case letters, digits, dots or hyphens")
        }
        var items = [String: String]()
        for item in components.queryItems ?? [] {
            guard ["endpoint", "region", "grace"].contains(item.name), let value = item.value, !value.isEmpty, items[item.name] == nil else {
                throw StoreError("invalid blob store parameter \(item.name.debugDescription): \(usage)")
            }
            items[item.name] = value
        }
        guard var endpoint = items["endpoint"], let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty, url.query == nil, url.user == nil else {
            throw StoreError("invalid blob store \(text.debugDescription): endpoint missing or not an http(s) URL; \(usage)")
        }
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard url.path.isEmpty || url.path == "/" else { throw StoreError("invalid blob store endpoint \(endpoint.debugDescription): no path allowed") }
        var grace = 3600
        if let raw = items["grace"] {
            guard let value = Int(raw), (1...30 * 86400).contains(value) else { throw StoreError("invalid blob store grace \(raw.debugDescription): seconds, 1-2592000") }
            grace = value
        }
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = items["region"] ?? "us-east-1"
        self.graceSeconds = grace
    }

    /// Whether requests go over TLS.
    public var isTLS: Bool { endpoint.lowercased().hasPrefix("https:") }

    /// `s3://BUCKET at ENDPOINT`: what start-up and errors name (no credentials in it).
    public var description: String { "s3://\(bucket) at \(endpoint)" }
}
