import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Sits first in the pipeline and tells the guard that request bytes arrived.
final class RequestBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connectionGuard: ConnectionGuard
    private var guardContext: ChannelHandlerContext?

    init(guard connectionGuard: ConnectionGuard) {
        self.connectionGuard = connectionGuard
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guardContext = try? context.pipeline.syncOperations.context(handler: connectionGuard)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        guardContext = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let guardContext, unwrapInboundIn(data).readableBytes > 0 { connectionGuard.bytesArrived(context: guardContext) }
        context.fireChannelRead(data)
    }
}
