import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOSSL

/// `lockerd`'s HTTPS: Hummingbird's HTTP/2 upgrade channel (TLS, then HTTP/1.1 or HTTP/2 as ALPN
/// chose, `h2` preferred) with `TLSAdmission` put right after its TLS handler, so every
/// connection is counted and its handshake timed before any HTTP is read.
struct TLSServerChannel: ServerChildChannel {
    typealias Value = HTTP2UpgradeChannel.Value

    let upgrade: HTTP2UpgradeChannel
    let counter: ConnectionCounter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        upgrade.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(TLSAdmission(counter: counter), position: .after(pipeline.handler(type: NIOSSLServerHandler.self)))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await upgrade.handle(value: value, logger: logger)
    }
}

extension TLSServerChannel {
    /// HTTPS with `certificates` (current at each handshake). Every HTTP/1.1 connection and every
    /// HTTP/2 stream gets a `ConnectionGuard` for its deadlines; an HTTP/2 connection with no
    /// stream open is closed after `idleTimeout`. Hummingbird's own HTTP/1 idle timer stays off.
    static func server(certificates: TLSCertificates, counter: ConnectionCounter) -> HTTPServerBuilder {
        let configuration = HTTP2UpgradeChannel.Configuration(
            idleTimeout: counter.limits.idleTimeout,
            streamConfiguration: .init(additionalChannelHandlers: [ConnectionGuard(counter: counter, behindTLS: true)], idleTimeout: nil))
        return HTTPServerBuilder { responder in
            let upgrade = try HTTP2UpgradeChannel(tlsConfiguration: certificates.serverConfiguration(), configuration: configuration, responder: responder)
            return TLSServerChannel(upgrade: upgrade, counter: counter)
        }
    }
}
