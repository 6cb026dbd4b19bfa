import NIOCore
import NIOHTTP1

/// Closes a connection after the answer to a request that did not ask for a persistent
/// connection, and says so with `Connection: close`: an HTTP/1.0 request without
/// `Connection: keep-alive` (health checkers and old tools send those and read until the
/// connection closes), or an HTTP/1.1 request with `Connection: close`. Hummingbird alone kept
/// HTTP/1.0 connections open until the idle timeout, because the version is gone once the request
/// is converted to HTTP types; so this handler sits before that conversion.
final class NonPersistentConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// For each request read and not yet answered, in order: close after its answer?
    private var closeAfter: [Bool] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) { closeAfter.append(!head.isKeepAlive) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where closeAfter.first == true:
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            guard !closeAfter.isEmpty, closeAfter.removeFirst() else {
                context.write(data, promise: promise)
                return
            }
            // Close once the answer is on the wire, not before (pending writes would be dropped).
            let written = context.eventLoop.makePromise(of: Void.self)
            if let promise { written.futureResult.cascade(to: promise) }
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        default:
            context.write(data, promise: promise)
        }
    }
}
