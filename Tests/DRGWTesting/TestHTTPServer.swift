import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// A real HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for transport tests.
///
/// Routes:
/// - `/echo` (GET, POST, PUT, PATCH, DELETE, HEAD): status 200, body = request body; headers
///   `x-echo-method`, `x-echo-path` (path and query), `x-echo-header-names` (request header names in order,
///   lower-cased, comma-separated) and one `x-echo-h-<name>` per request header with its value.
/// - `GET /slow?ms=N`: answers "slow" after N milliseconds (default 2000).
/// - `GET /big?bytes=N`: answers N bytes of `a`.
/// - `GET /stream?bytes=N`: answers N bytes of `b` in chunked encoding (no `Content-Length`).
/// - `GET /redirect`: 302 to `/echo`.
/// - `GET /status/{code}`: answers with that status and an empty body.
///
/// It counts the TCP connections it accepted and the requests it served.
public final class TestHTTPServer: Sendable {
    /// The bound port on 127.0.0.1.
    public let port: Int
    private let counters: TestServerCounters

    init(port: Int, counters: TestServerCounters) {
        self.port = port
        self.counters = counters
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// TCP connections accepted so far.
    public var acceptedConnections: Int { counters.connections }

    /// Requests answered so far.
    public var requestsServed: Int { counters.requests }

    /// Starts a server, runs `body` with it, then stops the server.
    public static func withRunning<Result>(
        _ body: (TestHTTPServer) async throws -> Result
    ) async throws -> Result {
        let counters = TestServerCounters()
        var logger = Logger(label: "drgw.test-http-server")
        logger.logLevel = .critical
        let quiet = logger
        let serve: @Sendable (@escaping @Sendable (Int) -> Void) async throws -> Void = { onPort in
            let app = Application(
                router: makeRouter(counters: counters),
                server: .http1(
                    configuration: .init(additionalChannelHandlers: [ConnectionCountingHandler(counters: counters)])
                ),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in onPort(channel.localAddress?.port ?? 0) },
                logger: quiet
            )
            try await app.runService(gracefulShutdownSignals: [])
        }
        return try await GracefulTask.withServer(serve) { port in try await body(TestHTTPServer(port: port, counters: counters)) }
    }
}

/// A test server could not be started.
public struct TestServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
