import DRGWStore
import Foundation

/// Learns when an operation reaches a terminal state, after it is stored and before waiters
/// are woken (so a `Prefer: wait` answer already finds the drill's report updated).
protocol OperationObserver: Sendable {
    func operationEnded(_ operation: StoredOperation, at now: Date) async
}

extension OperationPoller {
    /// The longest gap between two polls of a running operation of `kind`. A drill create is
    /// looked at every 0.5 s at most, so its measured RTO is late by no more than that.
    static func maxPollInterval(kind: String) -> Double {
        kind == "drill.create" ? 0.5 : 3
    }
}
