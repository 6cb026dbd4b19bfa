import NIOCore
import Synchronization

/// Thread-safe counters of a test server.
final class TestServerCounters: Sendable {
    private let state = Mutex((connections: 0, requests: 0))

    var connections: Int { state.withLock { $0.connections } }
    var requests: Int { state.withLock { $0.requests } }

    func connectionAccepted() { state.withLock { $0.connections += 1 } }
    func requestServed() { state.withLock { $0.requests += 1 } }
}

/// Added once to every accepted connection's pipeline, so `handlerAdded` counts connections.
final class ConnectionCountingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let counters: TestServerCounters

    init(counters: TestServerCounters) {
        self.counters = counters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counters.connectionAccepted()
    }
}
