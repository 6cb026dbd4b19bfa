import DRGWCore
import Foundation
import Synchronization

/// The one status line `--wait` keeps up to date on a terminal: the operation, its status and the
/// time since the wait began, redrawn every second. Nothing at all when stderr is not a terminal.
final class StatusLine: Sendable {
    private let console: Console
    private let state: Mutex<(operation: GatewayOperation, ticker: Task<Void, Never>?)>
    private let begin = ContinuousClock.now

    init(console: Console, operation: GatewayOperation) {
        self.console = console
        state = Mutex((operation, nil))
    }

    func start() {
        guard console.stderrIsTerminal else { return }
        let ticker = Task { [weak self] in
            while !Task.isCancelled {
                self?.draw()
                try? await Task.sleep(for: .seconds(1))
            }
        }
        state.withLock { $0.ticker = ticker }
    }

    func update(_ operation: GatewayOperation) {
        state.withLock { $0.operation = operation }
        draw()
    }

    func stop() {
        state.withLock { $0.ticker }?.cancel()
        console.endStatus()
    }

    private func draw() {
        let operation = state.withLock { $0.operation }
        let elapsed = (ContinuousClock.now - begin).components.seconds
        var text = "\(operation.kind) \(operation.id): \(operation.status.rawValue), \(AgeText.duration(Double(elapsed)))"
        if let error = operation.lastPollError { text += " (cloud not answering: \(error.code))" }
        console.status(text)
    }
}
