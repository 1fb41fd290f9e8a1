import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// One per connection, between the HTTP codec and Hummingbird: enforces `ConnectionLimits`.
///
/// - Over the total or per-address cap, the connection gets one 503 `/problems/too-many-connections`
///   and is closed before any request is read.
/// - Waiting for a request with nothing sent: closed after `idleTimeout`.
/// - A request head whose first byte arrived but whose end has not: closed `headerTimeout` after
///   that first byte (a slow trickle does not extend it).
/// - A request body not finished within `bodyTimeout` of its head: closed.
/// - An answer the client stops taking: closed once `sendTimeout` passes with no part of it
///   written or taken (each part written, and each time the socket drains, starts it again), so
///   a slow download that keeps moving is never cut, and a client that pipelines requests and
///   never reads does not hold its slot forever.
///
/// Behind TLS (`behindTLS`) it counts nothing and refuses nothing, since `TLSAdmission` has
/// counted the TCP connection already, and the same guard then also watches each HTTP/2 stream
/// (its head, body and answer deadlines; closing it resets only that stream).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum Phase { case starting, waiting, readingHead, readingBody, responding, refused }

    private let counter: ConnectionCounter
    private let behindTLS: Bool
    private var phase = Phase.starting
    private var address: String?
    /// Bytes of a next request arrived while this one was still being answered.
    private var nextRequestStarted = false
    /// The response went out before the request body was all read (a 413, say).
    private var answeredEarly = false
    private var timer: Scheduled<Void>?
    /// When the current phase must be over; nil while a response is produced or sent.
    private var deadline: NIODeadline?

    init(counter: ConnectionCounter, behindTLS: Bool = false) {
        self.counter = counter
        self.behindTLS = behindTLS
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Raw bytes are seen before the HTTP decoder, so a started-but-unfinished head is known:
        // first in a plain connection, right after the TLS handler (decrypted bytes) in an HTTPS
        // one. An HTTP/2 stream's pipeline has no TLS handler and needs no watcher: its head
        // arrives whole, in one HEADERS frame.
        let pipeline = context.pipeline.syncOperations
        if !behindTLS {
            try? pipeline.addHandler(RequestBytesWatcher(guard: self), position: .first)
        } else if let admission = try? pipeline.handler(type: TLSAdmission.self) {
            try? pipeline.addHandler(RequestBytesWatcher(guard: self), position: .after(admission))
        }
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

    private func start(context: ChannelHandlerContext) {
        guard phase == .starting else { return }
        if !behindTLS {
            let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
            guard counter.open(peer) else {
                phase = .refused
                refuse(context: context)
                return
            }
            address = peer
        }
        phase = .waiting
        arm(context: context, after: counter.limits.idleTimeout)
    }

    private func finish() {
        timer?.cancel()
        timer = nil
        deadline = nil
        if let address {
            counter.close(address)
            self.address = nil
        }
    }

    /// Called by the bytes watcher for every read, before the decoder sees it.
    func bytesArrived(context: ChannelHandlerContext) {
        switch phase {
        case .waiting:
            phase = .readingHead
            arm(context: context, after: counter.limits.headerTimeout)
        case .responding:
            nextRequestStarted = true
        case .starting, .readingHead, .readingBody, .refused:
            break
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard phase != .refused else { return }
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            answeredEarly = false
            arm(context: context, after: counter.limits.bodyTimeout)
        case .body:
            break
        case .end:
            if answeredEarly {
                awaitNextRequest(context: context)
            } else {
                phase = .responding
                arm(context: context, after: counter.limits.sendTimeout)
            }
        }
        context.fireChannelRead(data)
    }

    /// The client took some of the answer: it may take `sendTimeout` again for the next part.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if phase == .responding && context.channel.isWritable { arm(context: context, after: counter.limits.sendTimeout) }
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Each part of an answer starts the send deadline again: a slow download that keeps
        // moving is never cut; one the client stopped taking is.
        if phase == .responding { deadline = .now() + Self.timeAmount(counter.limits.sendTimeout) }
        if case .end = unwrapOutboundIn(data) {
            switch phase {
            case .responding: awaitNextRequest(context: context)
            // Answered before the body was read: the body timer keeps running until it ends.
            case .readingBody: answeredEarly = true
            case .starting, .waiting, .readingHead, .refused: break
            }
        }
        context.write(data, promise: promise)
    }

    /// One exchange is over: idle until the next request's first byte (or, if that already
    /// came, its head's deadline).
    private func awaitNextRequest(context: ChannelHandlerContext) {
        answeredEarly = false
        if nextRequestStarted {
            nextRequestStarted = false
            phase = .readingHead
            arm(context: context, after: counter.limits.headerTimeout)
        } else {
            phase = .waiting
            arm(context: context, after: counter.limits.idleTimeout)
        }
    }

    /// Sets the phase's deadline. Scheduling and cancelling a timer three times per request
    /// cost more than the check it makes, so one timer per connection is kept and fires at
    /// least every `shortest` seconds (the smallest timeout): a new deadline is never earlier
    /// than the pending check, which then closes the connection or looks again.
    private func arm(context: ChannelHandlerContext, after delay: Duration) {
        deadline = .now() + Self.timeAmount(delay)
        if timer == nil { scheduleCheck(context: context) }
    }

    private func scheduleCheck(context: ChannelHandlerContext) {
        guard let deadline else { return }
        let at = min(deadline, .now() + Self.timeAmount(counter.limits.shortestTimeout))
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: at) { [weak self] in
            guard let self else { return }
            self.timer = nil
            guard let deadline = self.deadline else { return }
            if deadline <= .now() {
                context.close(promise: nil)
            } else {
                self.scheduleCheck(context: context)
            }
        }
    }

    private static func timeAmount(_ delay: Duration) -> TimeAmount {
        .nanoseconds(delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)
    }

    /// 503 problem+json with `Connection: close`, then close; nothing of the client's is read.
    private func refuse(context: ChannelHandlerContext) {
        let body = #"{"detail":"The server has too many open connections, or too many from your address; try again shortly.","status":503,"title":"Too many connections","type":"/problems/too-many-connections"}"#
        let buffer = context.channel.allocator.buffer(string: body)
        let head = HTTPResponse(status: .serviceUnavailable, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(buffer.readableBytes),
            .connection: "close", .retryAfter: "1", .cacheControl: "no-store",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(buffer)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
