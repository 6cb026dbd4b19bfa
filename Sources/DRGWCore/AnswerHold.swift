import Foundation
import Synchronization

/// Holds back one simulator answer once: the first request of `SimulatorOptions.holdAction`
/// takes effect upstream, then its answer waits `holdSeconds` (a lost answer, as a client sees it).
public final class AnswerHold: Sendable {
    private let action: String?
    private let seconds: Double
    private let used = Mutex(false)

    public init(options: SimulatorOptions) {
        self.action = options.holdAction
        self.seconds = options.holdSeconds
    }

    /// Waits when `action` is the held one and no answer was held yet.
    public func holdIfNeeded(action: String?) async {
        guard let held = self.action, held == action, seconds > 0 else { return }
        let first = used.withLock { used -> Bool in
            defer { used = true }
            return !used
        }
        if first { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    }
}
