import NIOCore
import NIOTLS

/// Right after the TLS handler on every HTTPS connection: the part of `ConnectionGuard` that
/// must act on the connection itself rather than on one HTTP exchange.
///
/// - It counts the connection against both caps of `ConnectionLimits`, once per TCP connection
///   however many HTTP/2 streams it carries. Over either cap the connection is closed at once:
///   before the handshake there is no way to send a 503.
/// - A handshake not finished within `headerTimeout` of the connection opening is closed, so
///   half-open handshakes cannot hold slots.
/// - After it, a connection on which nothing moves either way for the longest of the four
///   timeouts is closed. Every HTTP exchange has a shorter deadline of its own (kept by
///   `ConnectionGuard`, one per HTTP/1.1 connection or HTTP/2 stream), so this only ends an
///   HTTP/2 connection whose client never answers the PING that Hummingbird's connection manager
///   sends with its idle `GOAWAY` (the manager waits for that answer before it closes).
final class TLSAdmission: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let counter: ConnectionCounter
    private let silenceLimit: TimeAmount
    private var started = false
    private var handshaken = false
    private var address: String?
    private var lastActivity = NIODeadline.now()
    private var timer: Scheduled<Void>?

    init(counter: ConnectionCounter) {
        self.counter = counter
        let limits = counter.limits
        self.silenceLimit = TimeAmount(max(limits.idleTimeout, limits.headerTimeout, limits.bodyTimeout, limits.sendTimeout))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        lastActivity = .now()
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent, !handshaken {
            handshaken = true
            lastActivity = .now()
            timer?.cancel()
            checkSilence(context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func start(context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.open(peer) else {
            context.close(promise: nil)
            return
        }
        address = peer
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(counter.limits.headerTimeout)) { [weak self] in
            if self?.handshaken == false { context.close(promise: nil) }
        }
    }

    /// One timer per connection, moved on to `lastActivity + silenceLimit` each time it fires
    /// early, so reads and writes only note the time.
    private func checkSilence(context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: lastActivity + silenceLimit) { [weak self] in
            guard let self, self.address != nil else { return }
            if self.lastActivity + self.silenceLimit <= .now() {
                context.close(promise: nil)
            } else {
                self.checkSilence(context: context)
            }
        }
    }

    private func finish() {
        timer?.cancel()
        timer = nil
        if let address {
            counter.close(address)
            self.address = nil
        }
    }
}
