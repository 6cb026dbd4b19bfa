import Metrics
import Synchronization

/// Request counters and timers, made once per (method, route, status) and reused: building a
/// metric handle goes through the metrics factory's registry on every call otherwise.
final class RequestMetrics: Sendable {
    static let shared = RequestMetrics()

    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[String: Timer]>([:])

    /// Methods kept as labels; anything else counts as `OTHER` so callers cannot grow the label set.
    static let knownMethods: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]

    func record(method rawMethod: String, route: String, status: Int, seconds: Double) {
        let method = Self.knownMethods.contains(rawMethod) ? rawMethod : "OTHER"
        let key = Key(method: method, route: route, status: status)
        let counter = counters.withLock { all in
            if let existing = all[key] { return existing }
            let made = Counter(
                label: "drgw_http_requests_total",
                dimensions: [("method", method), ("route", route), ("status", String(status))])
            all[key] = made
            return made
        }
        counter.increment()
        let timer = timers.withLock { all in
            if let existing = all[route] { return existing }
            let made = Timer(label: "drgw_http_request_duration_seconds", dimensions: [("route", route)])
            all[route] = made
            return made
        }
        timer.recordSeconds(seconds)
    }
}
