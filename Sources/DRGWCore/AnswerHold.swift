import Foundation
import Synchronization

/// Holds back simulator answers: every accepted request's answer waits `latencySeconds` (a
/// remote cloud's service time), and the first request of `SimulatorOptions.holdAction` takes
/// effect upstream, then its answer waits `holdSeconds` (a lost answer, as a client sees it).
public final class AnswerHold: Sendable {
    private let action: String?
    private let seconds: Double
    private let used = Mutex(false)
    private let holding = Mutex(false)
    private let latency: Double
    private let jitter: Double

    public init(options: SimulatorOptions) {
        self.action = options.holdAction
        self.seconds = options.holdSeconds
        self.latency = max(0, options.latencySeconds)
        self.jitter = min(max(0, options.latencyJitterSeconds), self.latency)
    }

    /// Waits when `action` is the held one and no answer was held yet.
    public func holdIfNeeded(action: String?) async {
        if latency > 0 {
            let seconds = jitter > 0 ? latency + Double.random(in: -jitter...jitter) : latency
            try? await Task.sleep(for: .microseconds(Int64(seconds * 1_000_000)))
        }
        guard let held = self.action, held == action, seconds > 0 else { return }
        let first = used.withLock { used -> Bool in
            defer { used = true }
            return !used
        }
        guard first else { return }
        holding.withLock { $0 = true }
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        holding.withLock { $0 = false }
    }

    /// True while the held answer waits: the request has taken effect and its caller still waits.
    public var isHolding: Bool {
        holding.withLock { $0 }
    }
}
