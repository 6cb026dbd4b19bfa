import NIOCore
import NIOPosix

/// A raw TCP server on 127.0.0.1 that breaks HTTP exchanges on purpose, for connection-reset tests.
public enum TestHangUpServer {
    /// How the server misbehaves once a request arrives.
    public enum Mode: Sendable {
        /// Closes the connection without answering.
        case closeBeforeResponse
        /// Announces a 100-byte body, sends 3 bytes, then closes.
        case closeMidBody
    }

    /// Starts the server on an ephemeral port, runs `body` with that port, then stops the server.
    public static func withRunning<Result>(mode: Mode, _ body: (Int) async throws -> Result) async throws -> Result {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(HangUpHandler(mode: mode))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TestServerError(message: "hang-up server has no port")
        }
        do {
            let result = try await body(port)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

private final class HangUpHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let mode: TestHangUpServer.Mode
    private var answered = false

    init(mode: TestHangUpServer.Mode) {
        self.mode = mode
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        switch mode {
        case .closeBeforeResponse:
            context.close(promise: nil)
        case .closeMidBody:
            let partial = context.channel.allocator.buffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
            context.writeAndFlush(wrapOutboundOut(partial), promise: nil)
            context.close(promise: nil)
        }
    }
}
