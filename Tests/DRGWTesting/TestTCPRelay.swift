import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on 127.0.0.1 in front of another local port. Tests make a simulator unreachable by
/// stopping the relay instead of the simulator: the relay is built on plain channel handlers, so
/// closing it while the gateway connects is safe (a Hummingbird server that accepts a connection
/// while it shuts down can abort the process).
public final class TestTCPRelay: Sendable {
    public let port: Int
    private let server: any Channel
    private let open: Mutex<[any Channel]>

    private init(port: Int, server: any Channel) {
        self.port = port
        self.server = server
        self.open = Mutex([])
    }

    /// Starts relaying connections to `targetPort`.
    public static func start(targetPort: Int) async throws -> TestTCPRelay {
        let tracked = Tracked()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                ClientBootstrap(group: child.eventLoop)
                    .connect(host: "127.0.0.1", port: targetPort)
                    .flatMapThrowing { upstream in
                        let (near, far) = RelayHandler.pair()
                        try child.pipeline.syncOperations.addHandler(near)
                        try upstream.pipeline.syncOperations.addHandler(far)
                        tracked.add(child, upstream)
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = server.localAddress?.port else {
            try? await server.close()
            throw TestServerError(message: "relay has no port")
        }
        let relay = TestTCPRelay(port: port, server: server)
        tracked.owner.withLock { $0 = relay }
        return relay
    }

    /// Refuses new connections and closes the open ones.
    public func stop() async {
        try? await server.close()
        for channel in open.withLock({ list in defer { list = [] }; return list }) { try? await channel.close() }
    }

    fileprivate func track(_ channels: [any Channel]) {
        open.withLock { $0 += channels }
    }

    /// Hands channels accepted before `start` returned to the relay.
    private final class Tracked: Sendable {
        let owner = Mutex<TestTCPRelay?>(nil)
        private let early = Mutex<[any Channel]>([])

        func add(_ channels: any Channel...) {
            if let relay = owner.withLock({ $0 }) {
                let pending = early.withLock { list in defer { list = [] }; return list }
                relay.track(pending + channels)
            } else {
                early.withLock { $0 += channels }
            }
        }
    }
}

/// Copies bytes to its partner on the other channel (both on one event loop).
private final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?

    static func pair() -> (RelayHandler, RelayHandler) {
        let a = RelayHandler()
        let b = RelayHandler()
        a.partner = b
        b.partner = a
        return (a, b)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
