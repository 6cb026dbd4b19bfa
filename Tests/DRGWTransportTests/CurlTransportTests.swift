import DRGWCore
import DRGWTesting
import DRGWTransport
import Foundation
import Testing

/// Real-socket tests of `CurlTransport` against `TestHTTPServer` on 127.0.0.1.
@Suite struct CurlTransportTests {
    @Test func echoesMethodHeadersAndBodyForEachVerb() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                let body = method == "GET" ? [] : Array("payload of \(method) ✓".utf8)
                let request = UpstreamRequest(
                    method: method,
                    url: server.baseURL + "/echo?a=1&b=%2F",
                    headers: [
                        (name: "X-Custom-One", value: "alpha"),
                        (name: "Content-Type", value: "application/json"),
                        (name: "X-Empty", value: ""),
                    ],
                    body: body
                )
                let response = try await transport.send(request)
                #expect(response.status == 200)
                #expect(response.header("x-echo-method") == method)
                #expect(response.header("x-echo-path") == "/echo?a=1&b=%2F")
                #expect(response.header("x-echo-h-x-custom-one") == "alpha")
                #expect(response.header("x-echo-h-content-type") == "application/json")
                #expect(response.header("x-echo-h-x-empty") == "")
                #expect(response.header("x-echo-h-user-agent") == "drgw/0.1")
                #expect(response.body == body, "\(method) body")
                let names = response.header("x-echo-header-names")?.split(separator: ",").map(String.init) ?? []
                // libcurl's own defaults must not leak in.
                #expect(!names.contains("accept"))
                #expect(!names.contains("expect"))
                if !body.isEmpty {
                    #expect(response.header("x-echo-h-content-length") == String(body.count))
                }
            }
        }
    }

    @Test func sendsHeadersInGivenOrderAndNoDefaultContentType() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(userAgent: "drgw-test/9")
            defer { transport.shutdown() }
            let response = try await transport.send(
                UpstreamRequest(
                    method: "POST", url: server.baseURL + "/echo",
                    headers: [
                        (name: "X-Zeta", value: "1"), (name: "X-Alpha", value: "2"), (name: "X-Mid", value: "3"),
                    ],
                    body: Array("k=v".utf8)
                )
            )
            let names = response.header("x-echo-header-names")?.split(separator: ",").map(String.init) ?? []
            let custom = names.filter { $0.hasPrefix("x-") }
            #expect(custom == ["x-zeta", "x-alpha", "x-mid"])
            #expect(!names.contains("content-type"))
            #expect(response.header("x-echo-h-user-agent") == "drgw-test/9")
        }
    }

    @Test func callerUserAgentHeaderWins() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let response = try await transport.send(
                UpstreamRequest(
                    method: "GET", url: server.baseURL + "/echo", headers: [(name: "User-Agent", value: "custom/1")])
            )
            #expect(response.header("x-echo-h-user-agent") == "custom/1")
        }
    }

    @Test func binaryAndLargeBodiesRoundTrip() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let binary = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let small = try await transport.send(
                UpstreamRequest(method: "POST", url: server.baseURL + "/echo", body: binary))
            #expect(small.body == binary)
            // Over 1 MiB libcurl would normally send `Expect: 100-continue` and wait for the interim answer.
            let large = [UInt8](repeating: 0x5A, count: 3 << 20)
            let response = try await transport.send(
                UpstreamRequest(method: "PUT", url: server.baseURL + "/echo", body: large, maxResponseBytes: 4 << 20)
            )
            #expect(response.status == 200)
            #expect(response.body.count == large.count)
            #expect(response.body == large)
            let names = response.header("x-echo-header-names")?.split(separator: ",").map(String.init) ?? []
            #expect(!names.contains("expect"))
            #expect(names.contains("content-length"))
        }
    }

    @Test func headRequestReturnsHeadersOnly() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let response = try await transport.send(UpstreamRequest(method: "HEAD", url: server.baseURL + "/echo"))
            #expect(response.status == 200)
            #expect(response.header("x-echo-method") == "HEAD")
            #expect(response.body.isEmpty)
        }
    }

    @Test func statusCodesPassThroughAndRedirectsAreNotFollowed() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let notFound = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/status/404"))
            #expect(notFound.status == 404)
            let unavailable = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/status/503"))
            #expect(unavailable.status == 503)
            let redirect = try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/redirect"))
            #expect(redirect.status == 302)
            #expect(redirect.header("location") == "/echo")
            #expect(redirect.header("x-echo-method") == nil)
        }
    }

    @Test(arguments: [CurlTransport.Readiness.automatic, .watcherThread])
    func twoHundredConcurrentRequestsGetTheirOwnAnswers(readiness: CurlTransport.Readiness) async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(readiness: readiness)
            defer { transport.shutdown() }
            let count = 200
            var seen = Set<Int>()
            try await withThrowingTaskGroup(of: (Int, UpstreamResponse).self) { group in
                for index in 0..<count {
                    group.addTask {
                        let request = UpstreamRequest(
                            method: "POST", url: server.baseURL + "/echo?id=\(index)",
                            headers: [(name: "X-Request-Id", value: "req-\(index)")],
                            body: Array("body-\(index)".utf8)
                        )
                        return (index, try await transport.send(request))
                    }
                }
                for try await (index, response) in group {
                    #expect(response.status == 200)
                    #expect(response.body == Array("body-\(index)".utf8))
                    #expect(response.header("x-echo-h-x-request-id") == "req-\(index)")
                    #expect(response.header("x-echo-path") == "/echo?id=\(index)")
                    seen.insert(index)
                }
            }
            #expect(seen.count == count)
            #expect(transport.stats.requests == count)
            #expect(transport.inFlightCount == 0)
            #expect(server.requestsServed == count)
        }
    }

    @Test(arguments: [CurlTransport.Readiness.automatic, .watcherThread])
    func keepAliveReusesConnections(readiness: CurlTransport.Readiness) async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(readiness: readiness)
            defer { transport.shutdown() }
            let clock = ContinuousClock()
            let started = clock.now
            let sequential = 100
            for index in 0..<sequential {
                let response = try await transport.send(
                    UpstreamRequest(method: "GET", url: server.baseURL + "/echo?s=\(index)"))
                #expect(response.header("x-echo-path") == "/echo?s=\(index)")
            }
            // 100 more, never more than 8 at a time.
            let concurrent = 100
            let parallelism = 8
            try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                func launch() {
                    let index = next
                    next += 1
                    group.addTask {
                        let response = try await transport.send(
                            UpstreamRequest(method: "POST", url: server.baseURL + "/echo", body: Array("c\(index)".utf8))
                        )
                        return response.body == Array("c\(index)".utf8) ? 1 : 0
                    }
                }
                while next < parallelism { launch() }
                var matched = 0
                while let ok = try await group.next() {
                    matched += ok
                    if next < concurrent { launch() }
                }
                #expect(matched == concurrent)
            }
            let elapsed = clock.now - started
            let requests = sequential + concurrent
            let connections = server.acceptedConnections
            let ratio = Double(requests) / Double(max(1, connections))
            print(
                "CurlTransport keep-alive: \(requests) requests over \(connections) connections = \(ratio) requests/connection "
                    + "(transport counted \(transport.stats.connectionsOpened)) in \(elapsed)"
            )
            #expect(server.requestsServed == requests)
            #expect(connections >= 1)
            #expect(connections <= 16)
            #expect(connections <= requests / 10)
            #expect(transport.stats.connectionsOpened == connections)
            #expect(transport.stats.requests == requests)
        }
    }

    @Test func requestTimeoutFiresQuickly() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    UpstreamRequest(method: "GET", url: server.baseURL + "/slow?ms=2000", timeout: 0.3))
            }
            let elapsed = clock.now - start
            #expect(error?.code == .timedOut)
            #expect(elapsed >= .milliseconds(250))
            #expect(elapsed < .milliseconds(1500))
            #expect(transport.inFlightCount == 0)
        }
    }

    @Test(arguments: [CurlTransport.Readiness.automatic, .watcherThread])
    func cancellingTheTaskFreesTheTransfer(readiness: CurlTransport.Readiness) async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(readiness: readiness)
            defer { transport.shutdown() }
            let task = Task {
                try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/slow?ms=5000", timeout: 30))
            }
            // The request must really be on the wire before we cancel.
            try await poll(until: { server.requestsServed == 1 && transport.inFlightCount == 1 })
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let result = await task.result
            let elapsed = clock.now - start
            #expect(throws: TransportError(.cancelled)) { try result.get() }
            #expect(result.failureCode == .cancelled)
            #expect(elapsed < .milliseconds(1000))
            #expect(transport.inFlightCount == 0)

            let after = try await transport.send(
                UpstreamRequest(method: "POST", url: server.baseURL + "/echo", body: [1, 2, 3]))
            #expect(after.body == [1, 2, 3])
            #expect(transport.inFlightCount == 0)
        }
    }

    @Test func alreadyCancelledTaskNeverSends() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo"))
            }
            #expect(await task.result.failureCode == .cancelled)
            #expect(transport.inFlightCount == 0)
            #expect(transport.stats.requests == 0)
            #expect(server.requestsServed == 0)
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        let port = try TestServerPorts.closedPort()
        let transport = CurlTransport()
        defer { transport.shutdown() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await transport.send(
                UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/x?secret=s3cr3t", body: [1]))
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.requestNeverSent == true)
        #expect(error?.detail.contains("s3cr3t") == false)
        #expect(error.map { String(describing: $0) } == "TransportError(connect_failed)")
    }

    @Test func responseOverTheCapIsTooLarge() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            // With Content-Length (rejected from the headers) and chunked (rejected while writing).
            for route in ["big", "stream"] {
                let error = await #expect(throws: TransportError.self) {
                    _ = try await transport.send(
                        UpstreamRequest(
                            method: "GET", url: server.baseURL + "/\(route)?bytes=100000", maxResponseBytes: 10_000)
                    )
                }
                #expect(error?.code == .tooLarge, "\(route)")
                let exact = try await transport.send(
                    UpstreamRequest(method: "GET", url: server.baseURL + "/\(route)?bytes=10000", maxResponseBytes: 10_000)
                )
                #expect(exact.body == [UInt8](repeating: route == "big" ? 0x61 : 0x62, count: 10_000))
            }
            #expect(transport.inFlightCount == 0)
        }
    }

    @Test func tlsToAPlainServerIsTLSError() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    UpstreamRequest(method: "GET", url: "https://127.0.0.1:\(server.port)/echo", timeout: 5))
            }
            #expect(error?.code == .tls)
        }
    }

    @Test func onlyHTTPAndHTTPSAreAllowed() async throws {
        let transport = CurlTransport()
        defer { transport.shutdown() }
        for url in ["file:///etc/hostname", "ftp://127.0.0.1:1/x", "gopher://127.0.0.1:1/"] {
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(UpstreamRequest(method: "GET", url: url))
            }
            #expect(error?.code == .other, "\(url)")
        }
    }

    @Test func invalidHeaderIsRejectedBeforeSending() async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    UpstreamRequest(
                        method: "GET", url: server.baseURL + "/echo",
                        headers: [(name: "X-Bad", value: "a\r\nX-Injected: 1")])
                )
            }
            #expect(error?.code == .other)
            #expect(server.requestsServed == 0)
            #expect(transport.inFlightCount == 0)
        }
    }

    @Test(arguments: [CurlTransport.Readiness.automatic, .watcherThread])
    func shutdownFailsInFlightAndLaterRequests(readiness: CurlTransport.Readiness) async throws {
        try await TestHTTPServer.withRunning { server in
            let transport = CurlTransport(readiness: readiness)
            let task = Task {
                try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/slow?ms=5000", timeout: 30))
            }
            try await poll(until: { server.requestsServed == 1 && transport.inFlightCount == 1 })
            transport.shutdown()
            transport.shutdown()
            #expect(await task.result.failureCode == .cancelled)
            #expect(transport.inFlightCount == 0)
            let later = await #expect(throws: TransportError.self) {
                try await transport.send(UpstreamRequest(method: "GET", url: server.baseURL + "/echo"))
            }
            #expect(later?.code == .cancelled)
            #expect(server.requestsServed == 1)
        }
    }
}

/// Polls `condition` every 5 ms until it holds, failing after `timeout`.
func poll(timeout: Duration = .seconds(5), until condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while !condition() {
        guard clock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

extension Result {
    /// The `TransportError` code of a failure, nil for a success or another error.
    fileprivate var failureCode: TransportError.Code? {
        if case .failure(let error) = self { return (error as? TransportError)?.code }
        return nil
    }
}

/// Broken connections surface as `.reset`.
@Suite struct CurlTransportResetTests {
    @Test(arguments: [TestHangUpServer.Mode.closeBeforeResponse, .closeMidBody])
    func hangUpIsReset(mode: TestHangUpServer.Mode) async throws {
        try await TestHangUpServer.withRunning(mode: mode) { port in
            let transport = CurlTransport()
            defer { transport.shutdown() }
            let error = await #expect(throws: TransportError.self) {
                _ = try await transport.send(
                    UpstreamRequest(method: "POST", url: "http://127.0.0.1:\(port)/x", body: [1, 2]))
            }
            #expect(error?.code == .reset)
            #expect(error?.requestNeverSent == false)
            #expect(transport.inFlightCount == 0)
        }
    }
}
