import DRGWCore
import DRGWTesting
@testable import DRGWTransport
import NIOCore
import NIOPosix
import Testing

/// How the loops learn that curl's sockets are ready: Linux AIO polls that wake the owning loop
/// directly where the kernel has them, the watcher thread otherwise and for sockets past the polls'
/// capacity.
@Suite struct CurlReadinessTests {
    @Test func eachLoopUsesAIOPollsWhereTheKernelHasThem() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let expected = CurlTransport.aioPollsAvailable ? "aio" : "watcher"
        print("CurlTransport readiness on this kernel: \(expected)")
        let automatic = CurlTransport(group: group)
        #expect(try await automatic.readinessInUse() == [expected, expected])
        let watcher = CurlTransport(group: group, readiness: .watcherThread)
        #expect(try await watcher.readinessInUse() == ["watcher", "watcher"])
        automatic.shutdown()
        watcher.shutdown()
        try await group.shutdownGracefully()
    }

    @Test func socketsPastThePollCapacityGoToTheWatcher() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        try await TestHTTPServer.withRunning { server in
            // Two polls per loop: most of the 64 connections are watched by the watcher thread.
            let transport = CurlTransport(
                userAgent: "drgw-test", maxConnectionsPerHost: 64, group: group, readiness: .automatic, aioCapacity: 2)
            defer { transport.shutdown() }
            for round in 0..<3 {
                try await withThrowingTaskGroup(of: Bool.self) { tasks in
                    for index in 0..<64 {
                        tasks.addTask {
                            let response = try await transport.send(
                                UpstreamRequest(method: "GET", url: server.baseURL + "/slow?ms=20&r=\(round)-\(index)"))
                            return response.status == 200 && response.body == Array("slow".utf8)
                        }
                    }
                    var answered = 0
                    for try await ok in tasks where ok { answered += 1 }
                    #expect(answered == 64)
                }
            }
            #expect(transport.stats.requests == 192)
            #expect(transport.inFlightCount == 0)
            // Reused connections: the second and third rounds open (almost) none.
            #expect(transport.stats.connectionsOpened <= 70)
            if CurlTransport.aioPollsAvailable {
                let counts = try await transport.aioCounts()
                #expect(counts.allSatisfy { $0.submitted > 0 && $0.overflows > 0 }, "\(counts)")
            }
        }
        try await group.shutdownGracefully()
    }
}
