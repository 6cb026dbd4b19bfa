import DRGWCore
import Metrics

/// Request counters and timers, made once per (method, route, status) and reused.
final class RequestMetrics: Sendable {
    static let shared = RequestMetrics()

    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let counters = HandleCache<Key, Counter>()
    private let timers = HandleCache<String, Timer>()

    /// Methods kept as labels; anything else counts as `OTHER` so callers cannot grow the label set.
    static let knownMethods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    func record(method rawMethod: String, route: String, status: Int, seconds: Double) {
        let method = Self.knownMethods.contains(rawMethod) ? rawMethod : "OTHER"
        counters.handle(Key(method: method, route: route, status: status)) {
            Counter(
                label: "drgw_http_requests_total",
                dimensions: [("method", method), ("route", route), ("status", String(status))])
        }.increment()
        timers.handle(route) {
            Timer(label: "drgw_http_request_duration_seconds", dimensions: [("route", route)])
        }.recordSeconds(seconds)
    }
}
