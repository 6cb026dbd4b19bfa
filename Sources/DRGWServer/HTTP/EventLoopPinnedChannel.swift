import DRGWCore
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1

/// An HTTP/1 child channel whose request handling prefers the connection's own event loop as
/// task executor: the handler, and every continuation it resumes (upstream answers from the curl
/// thread, store results from the SQLite writer), run on the thread that owns the socket, so an
/// answer is written without another thread hop. Without it each resumed job lands on whichever
/// loop the global executor picks. It also closes connections whose request asked for no
/// persistent connection (`NonPersistentConnectionHandler`).
struct EventLoopPinnedChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // Before the HTTP/1 → HTTP types conversion, where the request's version is still known.
            let codec = try channel.pipeline.syncOperations.handler(type: HTTP1ToHTTPServerCodec.self)
            try channel.pipeline.syncOperations.addHandler(NonPersistentConnectionHandler(), position: .before(codec))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with each connection's requests handled on that connection's event loop, and
    /// requests the parser rejects answered with problem+json.
    /// With `stages`, every request also gets a stage trace (`StageTimingHandler`).
    static func pinnedHTTP1(logger: Logger, stages: StageTimings? = nil) -> HTTPServerBuilder {
        // An autoclosure: evaluated for every new connection.
        let configuration = HTTP1Channel.Configuration(additionalChannelHandlers: channelHandlers(logger: logger, stages: stages))
        return .init { responder in
            EventLoopPinnedChannel(inner: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }

    private static func channelHandlers(logger: Logger, stages: StageTimings?) -> [any RemovableChannelHandler] {
        var handlers: [any RemovableChannelHandler] = [ProtocolErrorHandler(logger: logger)]
        if let stages { handlers.append(StageTimingHandler(timings: stages)) }
        return handlers
    }
}
