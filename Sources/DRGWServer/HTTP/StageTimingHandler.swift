import DRGWCore
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Opens a stage trace for each request head the parser hands over and closes it when that
/// request's answer is on the socket (the stage-timing diagnostic; only in the pipeline when it
/// is on). The trace's name travels to `EdgeMiddleware` in an internal header that replaces any
/// value a client sent.
final class StageTimingHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timings: StageTimings
    /// Traces of requests read and not yet answered, oldest first (pipelined requests queue up).
    private var pending: [(id: String, trace: StageTrace)] = []

    init(timings: StageTimings) {
        self.timings = timings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let (id, trace) = timings.open()
        trace.mark(.parsed)
        head.headerFields[.stageTrace] = id
        pending.append((id, trace))
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data), !pending.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        let (_, trace) = pending.removeFirst()
        let written = promise ?? context.eventLoop.makePromise()
        let timings = timings
        written.futureResult.whenSuccess {
            trace.mark(.written)
            timings.finish(trace)
        }
        context.write(data, promise: written)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for (id, _) in pending { timings.discard(id) }
        pending.removeAll()
        context.fireChannelInactive()
    }
}

extension HTTPField.Name {
    /// Internal: names a request's stage trace between the HTTP front and `EdgeMiddleware`.
    static let stageTrace = Self("X-Drgw-Stage-Trace")!
}
