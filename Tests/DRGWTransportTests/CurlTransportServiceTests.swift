import DRGWCore
import DRGWTesting
import DRGWTransport
import Logging
import ServiceLifecycle
import Testing

/// `CurlTransport` as a swift-service-lifecycle `Service`.
@Suite struct CurlTransportServiceTests {
    @Test func gracefulShutdownStopsTheTransport() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            let group = ServiceGroup(configuration: .init(services: [transport], logger: Logger(label: "drgw.test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let alive = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo"))
                #expect(alive.status == 200)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let error = await #expect(throws: TransportError.self) {
                try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo"))
            }
            #expect(error?.code == .cancelled)
            #expect(server.requestsServed == 1)
        }
    }
}
