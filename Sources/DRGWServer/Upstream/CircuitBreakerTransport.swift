import DRGWCore
import Foundation
import Logging
import Metrics
import Synchronization

/// An `HTTPTransport` decorator that guards one account's endpoint with a circuit breaker (`StateMachine`).
///
/// While the circuit is open it answers at once, without touching the network, by throwing
/// `Problem(.upstreamUnavailable)` with `retryAfter`. Adapters only retry `TransportError`s, so
/// that problem ends their retry loop and reaches the caller as 503 with `Retry-After`.
final class CircuitBreakerTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let breaker: Mutex<StateMachine>
    private let account: String
    private let provider: String
    /// `drgw_upstream_breaker_state{account}`, made once (a handle per call costs a registry look-up).
    private let gauge: Gauge
    /// Monotonic seconds; injected for tests.
    private let now: @Sendable () -> Double
    private let logger: Logger
    /// The state last published, to log each change once.
    private let published = Mutex(0)

    init(
        base: any HTTPTransport, account: String, provider: String, settings: BreakerSettings,
        logger: Logger = Logger(label: "drgw"),
        now: @escaping @Sendable () -> Double = CircuitBreakerTransport.monotonicSeconds()
    ) {
        self.base = base
        self.account = account
        self.provider = provider
        self.breaker = Mutex(StateMachine(settings: settings))
        self.now = now
        self.logger = logger
        self.gauge = Gauge(label: "drgw_upstream_breaker_state", dimensions: [("account", account)])
        gauge.record(StateMachine.State.closed.gaugeValue)
    }

    /// The breaker's current state (for tests and diagnostics).
    var state: StateMachine.State { breaker.withLock { $0.state } }

    func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let (admission, stateAfter) = breaker.withLock { machine in
            let admission = machine.admit(now: now())
            return (admission, machine.state)
        }
        publish(stateAfter)
        let wasProbe: Bool
        switch admission {
        case .rejected(let retryAfter):
            throw Problem(
                .upstreamUnavailable,
                detail: "The circuit to \(provider) for account \(account) is open after repeated failures; retry later.",
                provider: provider, retryAfter: retryAfter)
        case .probe:
            wasProbe = true
        case .allowed:
            wasProbe = false
        }
        do {
            let response = try await base.send(request)
            record(StateMachine.Outcome(status: response.status), wasProbe: wasProbe)
            return response
        } catch {
            record(StateMachine.Outcome(error: error), wasProbe: wasProbe)
            throw error
        }
    }

    private func record(_ outcome: StateMachine.Outcome, wasProbe: Bool) {
        let state = breaker.withLock { machine in
            machine.record(outcome, wasProbe: wasProbe, now: now())
            return machine.state
        }
        publish(state)
    }

    private func publish(_ state: StateMachine.State) {
        let value = state.gaugeValue
        gauge.record(value)
        let previous = published.withLock { last -> Int? in
            guard last != value else { return nil }
            defer { last = value }
            return last
        }
        guard let previous else { return }
        let names = [0: "closed", 1: "half-open", 2: "open"]
        let metadata: Logger.Metadata = [
            "account": .string(account), "provider": .string(provider),
            "from": .string(names[previous] ?? "?"), "to": .string(names[value] ?? "?"),
        ]
        switch value {
        case 2: logger.warning("upstream circuit opened: calls to this account answer 503 until a probe succeeds", metadata: metadata)
        case 0: logger.notice("upstream circuit closed: calls go through again", metadata: metadata)
        default: logger.info("upstream circuit half-open: one probe goes through", metadata: metadata)
        }
    }

    /// Seconds since a fixed instant, on the continuous clock.
    static func monotonicSeconds() -> @Sendable () -> Double {
        let origin = ContinuousClock.now
        return {
            let elapsed = origin.duration(to: ContinuousClock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
    }
}
