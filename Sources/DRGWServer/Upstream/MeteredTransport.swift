import DRGWCore
import Foundation
import Metrics

/// An `HTTPTransport` decorator that counts and times every upstream exchange:
/// `drgw_upstream_requests_total{provider,account,action,outcome}` and
/// `drgw_upstream_request_duration_seconds{provider,action}`.
struct MeteredTransport: HTTPTransport {
    let base: any HTTPTransport
    let provider: String
    let account: String
    let handles: UpstreamMetricHandles

    init(base: any HTTPTransport, provider: String, account: String) {
        self.base = base
        self.provider = provider
        self.account = account
        self.handles = UpstreamMetricHandles(account: account)
    }

    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let action = UpstreamCallLabels.action(of: request)
        let started = ContinuousClock.now
        let outcome: String
        defer {
            let elapsed = started.duration(to: ContinuousClock.now).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            handles.record(provider: provider, action: action, outcome: outcome, seconds: seconds)
        }
        do {
            let response = try await base.send(request)
            outcome = UpstreamCallLabels.outcome(status: response.status)
            return response
        } catch {
            outcome = UpstreamCallLabels.outcome(error: error)
            throw error
        }
    }
}

/// The upstream counters and timers of one provider, made once per label set and reused. Actions
/// are templates, so the set is bounded.
final class UpstreamMetricHandles: Sendable {
    let account: String

    init(account: String) { self.account = account }

    private struct Key: Hashable {
        var action: String
        var outcome: String
    }

    private let counters = HandleCache<Key, Counter>()
    private let timers = HandleCache<String, Timer>()

    func record(provider: String, action: String, outcome: String, seconds: Double) {
        counters.handle(Key(action: action, outcome: outcome)) {
            Counter(
                label: "drgw_upstream_requests_total",
                dimensions: [("provider", provider), ("account", account), ("action", action), ("outcome", outcome)])
        }.increment()
        timers.handle(action) {
            Timer(label: "drgw_upstream_request_duration_seconds", dimensions: [("provider", provider), ("action", action)])
        }.recordSeconds(seconds)
    }
}
