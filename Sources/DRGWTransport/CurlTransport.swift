import CCurl
import DRGWCore

/// The production `HTTPTransport`: libcurl's multi interface driven by one dedicated thread.
///
/// Every transfer runs on that thread; callers only enqueue work and wait on a continuation, so no Swift
/// cooperative thread ever blocks on I/O. Connections are kept alive and reused through the multi handle's
/// connection cache. TLS peers are always verified against the system CA store and redirects are never
/// followed.
public final class CurlTransport: HTTPTransport, Sendable {
    /// Counters for tests and benchmarks.
    public struct Stats: Sendable, Hashable {
        /// Transfers handed to libcurl.
        public var requests: Int
        /// New connections libcurl had to open (sum of `CURLINFO_NUM_CONNECTS`).
        public var connectionsOpened: Int

        /// Creates counters.
        public init(requests: Int = 0, connectionsOpened: Int = 0) {
            self.requests = requests
            self.connectionsOpened = connectionsOpened
        }
    }

    private let loop: CurlMultiLoop

    /// Starts the curl thread.
    /// - Parameters:
    ///   - userAgent: sent unless a request carries its own `User-Agent` header.
    ///   - maxConnectionsPerHost: upper bound of simultaneous connections to one host; further transfers wait.
    public init(userAgent: String = "drgw/0.1", maxConnectionsPerHost: Int = 64) {
        loop = CurlMultiLoop(userAgent: userAgent, maxConnectionsPerHost: max(1, maxConnectionsPerHost))
    }

    deinit {
        loop.shutdown()
    }

    /// Sends one request and returns the whole response.
    ///
    /// Throws `TransportError`; cancelling the calling task removes the transfer and throws `.cancelled`.
    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let transfer = CurlTransfer(request: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                loop.submit(transfer, continuation: continuation)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }

    /// Stops the curl thread. Transfers in flight fail with `TransportError(.cancelled)`, and so does every
    /// later `send`. Calling it again does nothing.
    public func shutdown() {
        loop.shutdown()
    }

    /// Counters since the transport was created.
    public var stats: Stats {
        loop.stats
    }

    /// Transfers submitted and not yet finished.
    public var inFlightCount: Int {
        loop.inFlightCount
    }
}
