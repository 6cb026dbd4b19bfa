import DRGWCore
import DRGWTesting
import DRGWTransport
import NIOCore
import NIOPosix
import Testing

/// `CurlTransport` on NIO event loops: each loop owns a multi handle, and a request sent from a
/// task running on a loop is handled by that loop's handle.
@Suite struct CurlEventLoopTests {
    /// Runs a task's jobs on one event loop (what the HTTP server does per connection).
    final class LoopExecutor: TaskExecutor {
        let loop: any EventLoop
        init(_ loop: any EventLoop) { self.loop = loop }
        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    static func get(_ transport: CurlTransport, _ url: String, on loop: any EventLoop) async throws -> (status: Int, onLoop: Bool) {
        try await withTaskExecutorPreference(LoopExecutor(loop)) {
            let response = try await transport.send(UpstreamRequest(method: "GET", url: url))
            return (response.status, loop.inEventLoop)
        }
    }

    /// A transport on a group of its own (two loops) and a test server; the transport is shut
    /// down before the group.
    static func withTwoLoops(
        _ body: @Sendable (MultiThreadedEventLoopGroup, TestHTTPServer, CurlTransport) async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(group: group)
            defer { transport.shutdown() }
            try await body(group, server, transport)
        }
        try await group.shutdownGracefully()
    }

    @Test func eachLoopKeepsItsOwnConnectionsAndAnswersOnItsThread() async throws {
        try await Self.withTwoLoops { group, server, transport in
            let loops = Array(group.makeIterator())
            // Sequential requests from one loop reuse that loop's one connection…
            for index in 0..<10 {
                let answer = try await Self.get(transport, server.baseURL + "/echo?a=\(index)", on: loops[0])
                #expect(answer.status == 200)
                #expect(answer.onLoop)
            }
            #expect(transport.stats.connectionsOpened == 1)
            // …and the other loop's handle opens its own.
            for index in 0..<10 {
                let answer = try await Self.get(transport, server.baseURL + "/echo?b=\(index)", on: loops[1])
                #expect(answer.status == 200)
                #expect(answer.onLoop)
            }
            #expect(transport.stats.connectionsOpened == 2)
            #expect(server.acceptedConnections == 2)
            #expect(transport.stats.requests == 20)
            #expect(transport.inFlightCount == 0)
        }
    }

    @Test func callersOffTheLoopsAreSpreadOverThem() async throws {
        try await Self.withTwoLoops { _, server, transport in
            // From Swift's global executor, sequential calls alternate between the two loops' handles,
            // each of which keeps one connection alive.
            for index in 0..<20 {
                let response = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo?c=\(index)"))
                #expect(response.status == 200)
            }
            #expect(transport.stats.connectionsOpened == 2)
            #expect(server.requestsServed == 20)
        }
    }

    @Test func shutdownFailsLaterSendsOnEveryLoop() async throws {
        try await Self.withTwoLoops { group, server, transport in
            let first = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo"))
            #expect(first.status == 200)
            transport.shutdown()
            for loop in group.makeIterator() {
                let error = await #expect(throws: TransportError.self) {
                    _ = try await Self.get(transport, server.baseURL + "/echo", on: loop)
                }
                #expect(error?.code == .cancelled)
            }
            #expect(server.requestsServed == 1)
            #expect(transport.inFlightCount == 0)
        }
    }
}
