import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The certificate chain and private key `lockerd` serves HTTPS with, swappable while it runs.
///
/// One `NIOSSLContext` serves every connection; its `sslContextCallback` hands each new
/// handshake the chain and key held here at that moment. `reload()` (on SIGHUP) reads both files
/// again and swaps them in only if they parse and belong together, so a bad new file leaves the
/// old certificate serving. Connections already open keep the certificate they shook hands with.
public final class TLSCertificates: Sendable {
    /// A chain and its key, checked to match.
    public struct Loaded: Sendable {
        public let chain: [NIOSSLCertificate]
        public let key: NIOSSLPrivateKey

        /// The leaf certificate's serial number in hex, for logs.
        public var serial: String { chain[0].serialNumber.map { String(format: "%02x", $0) }.joined() }
        /// When the leaf certificate expires.
        public var notValidAfter: Date { Date(timeIntervalSince1970: TimeInterval(chain[0].notValidAfter)) }
    }

    public let files: TLSFiles
    private let current: Mutex<Loaded>

    /// Reads both files; throws `LockerConfigError` with one line naming the file at fault.
    public init(files: TLSFiles) throws {
        self.files = files
        self.current = Mutex(try Self.load(files))
    }

    /// The chain and key handed to new connections now.
    public var loaded: Loaded { current.withLock { $0 } }

    /// Reads both files again and, if they are good, serves them to every new connection.
    /// Throws (and keeps the old pair) if either file is unreadable, invalid, or they do not match.
    @discardableResult
    public func reload() throws -> Loaded {
        let fresh = try Self.load(files)
        current.withLock { $0 = fresh }
        return fresh
    }

    /// The server's TLS configuration: TLS 1.2 or later, the pair loaded now as the context's
    /// own, and a callback that swaps in whatever pair is current at each handshake. (The ALPN
    /// list, h2 and http/1.1, is set by Hummingbird's HTTP/2 upgrade channel.)
    public func serverConfiguration() -> TLSConfiguration {
        let now = loaded
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: now.chain.map { .certificate($0) }, privateKey: .privateKey(now.key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.sslContextCallback = { [self] _, promise in
            let pair = loaded
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = pair.chain.map { .certificate($0) }
            override.privateKey = .privateKey(pair.key)
            promise.succeed(override)
        }
        return configuration
    }

    static func load(_ files: TLSFiles) throws -> Loaded {
        let certificateBytes = try contents(of: files.certificate, what: "TLS certificate")
        let keyBytes = try contents(of: files.key, what: "TLS key")
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(certificateBytes), !chain.isEmpty else {
            throw LockerConfigError("TLS certificate file \(files.certificate) holds no PEM certificate (expected -----BEGIN CERTIFICATE-----, the server's first, then any intermediates)")
        }
        guard let key = try? NIOSSLPrivateKey(bytes: keyBytes, format: .pem) else {
            throw LockerConfigError("TLS key file \(files.key) is not an unencrypted PEM private key")
        }
        // BoringSSL refuses a key whose public half is not the leaf certificate's.
        do {
            _ = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))
        } catch {
            throw LockerConfigError("TLS key file \(files.key) does not belong to the certificate in \(files.certificate)")
        }
        return Loaded(chain: chain, key: key)
    }

    private static func contents(of path: String, what: String) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw LockerConfigError("\(what) file \(path) does not exist")
        }
        guard !isFolder.boolValue else { throw LockerConfigError("\(what) file \(path) is a folder") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LockerConfigError("\(what) file \(path) cannot be read")
        }
        return Array(data)
    }
}
