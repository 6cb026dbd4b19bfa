import DRGWCore
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Answers requests that NIO's HTTP/1 parser rejects (oversized header block, bad header token,
/// bad `Content-Length`, not HTTP at all) with a problem+json body instead of Hummingbird's bare
/// `400` with no body, and closes the connection: after a parse error the byte stream cannot be
/// trusted. An oversized header block gets `431`, everything else `400 invalid_request`.
///
/// Sits in the pipeline right after the HTTP/1 ↔ HTTP types codec and lets the error travel on,
/// so Hummingbird's connection loop ends the way it always does:
/// - between requests (the usual case, or a bad request pipelined behind a good one), Hummingbird
///   answers the error with its bare 400 once every earlier request has its answer; this handler
///   writes the problem in its place, so answers keep their order;
/// - inside a request's body, the route reading the body fails and answers the problem itself
///   (`JSONBody` maps the parse error); the connection is closed after that answer.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        case normal
        /// The next answer head that starts when no answer is owed is Hummingbird's bare 400.
        case replaceNextAnswer(Problem)
        /// The route answers the broken request; close once it is written.
        case closeAfterAnswer
        /// The problem is written; anything later is dropped.
        case answered
    }

    private let logger: Logger
    private var state = State.normal
    /// Request heads read minus answer ends written: answers still owed on this connection.
    private var owed = 0
    /// Between a request's head and its end.
    private var inRequest = false

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            owed += 1
            inRequest = true
        case .end:
            inRequest = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .normal = state, let problem = Self.problem(for: error) {
            state = inRequest ? .closeAfterAnswer : .replaceNextAnswer(problem)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        switch state {
        case .answered:
            promise?.succeed(())
            return
        case .replaceNextAnswer(let problem) where owed == 0:
            guard case .head = part else { break }
            state = .answered
            answer(problem, context: context)
            promise?.succeed(())
            return
        default:
            break
        }
        context.write(data, promise: promise)
        guard case .end = part else { return }
        owed = max(0, owed - 1)
        if case .closeAfterAnswer = state, owed == 0 {
            state = .answered
            context.flush()
            context.close(promise: nil)
        }
    }

    private func answer(_ problem: Problem, context: ChannelHandlerContext) {
        let requestId = RandomID.uuid()
        var problem = problem
        problem.requestId = requestId
        let body = (try? ProblemResponse.encoder.encode(problem)) ?? Data("{\"code\":\"invalid_request\"}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/problem+json"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        fields[.requestId] = requestId
        // What Hummingbird adds to every routed answer.
        fields[.date] = Timestamp.httpDate(Date())
        fields[.server] = "drgw"
        let head = HTTPResponse(status: .init(code: problem.status), headerFields: fields)
        logger.info(
            "request rejected by the HTTP parser",
            metadata: ["request_id": .string(requestId), "status": .stringConvertible(problem.status), "detail": .string(problem.detail)]
        )
        RequestMetrics.shared.record(method: "unparsed", route: "unparsed", status: problem.status, seconds: 0)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// The problem for a parser error, or nil for errors that are not about the request's bytes.
    static func problem(for error: any Error) -> Problem? {
        if let parse = error as? HTTPParserError {
            if case .headerOverflow = parse {
                return Problem(
                    .headersTooLarge,
                    detail: "The request's header block is larger than the gateway accepts (80 KiB, at most 1000 fields)."
                )
            }
            return Problem(.invalidRequest, detail: "The request could not be parsed as HTTP: \(parse.debugDescription).")
        }
        if error is HTTP1TypeConversionError {
            return Problem(.invalidRequest, detail: "The request line or a header field is not valid HTTP.")
        }
        return nil
    }
}
