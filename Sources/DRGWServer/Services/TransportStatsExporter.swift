import DRGWTransport
import Metrics
import ServiceLifecycle

/// Copies `CurlTransport.Stats` into the metrics system every `interval`, so `/metrics` shows
/// `drgw_upstream_transfers_total` (transfers handed to libcurl) and
/// `drgw_upstream_connections_opened_total` (new TCP/TLS connections libcurl had to open).
/// Their ratio tells whether upstream connections are reused.
public struct TransportStatsExporter: Service {
    let transport: CurlTransport
    let interval: Duration

    /// Creates the exporter.
    /// - Parameters:
    ///   - transport: the gateway's outbound transport.
    ///   - interval: how often the counters are copied (the metrics lag by at most this much).
    public init(transport: CurlTransport, interval: Duration = .milliseconds(500)) {
        self.transport = transport
        self.interval = interval
    }

    /// Copies the counters until the task is cancelled or the service group shuts down.
    public func run() async throws {
        let transfers = Counter(label: "drgw_upstream_transfers_total")
        let connections = Counter(label: "drgw_upstream_connections_opened_total")
        try? await cancelWhenGracefulShutdown {
            var last = CurlTransport.Stats()
            while !Task.isCancelled {
                let now = transport.stats
                if now.requests > last.requests { transfers.increment(by: now.requests - last.requests) }
                if now.connectionsOpened > last.connectionsOpened {
                    connections.increment(by: now.connectionsOpened - last.connectionsOpened)
                }
                last = now
                try? await Task.sleep(for: interval)
            }
        }
    }
}
