import DRGWCore
import Foundation
import Metrics

/// An `HTTPTransport` decorator that counts and times every upstream exchange:
/// `drgw_upstream_requests_total{provider,action,outcome}` and
/// `drgw_upstream_request_duration_seconds{provider,action}`.
struct MeteredTransport: HTTPTransport {
    let base: any HTTPTransport
    let provider: String

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let action = UpstreamCallLabels.action(of: request)
        let started = ContinuousClock.now
        let outcome: String
        defer {
            let elapsed = started.duration(to: ContinuousClock.now).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            Counter(
                label: "drgw_upstream_requests_total",
                dimensions: [("provider", provider), ("action", action), ("outcome", outcome)]
            ).increment()
            Timer(label: "drgw_upstream_request_duration_seconds", dimensions: [("provider", provider), ("action", action)])
                .recordSeconds(seconds)
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
