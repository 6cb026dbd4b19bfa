import DRGWCore
import Foundation
import Synchronization

/// Lets a request wait (for `Prefer: wait=N`) until the poller finishes an operation.
///
/// With a shared store another replica's poller may finish the operation, and no signal reaches
/// this process: a waiter then also looks at the store every `storeCheckSeconds`.
final class OperationWaiters: Sendable {
    private struct Waiter {
        var id: UUID
        var continuation: CheckedContinuation<Void, Never>
    }

    private let waiters = Mutex<[String: [Waiter]]>([:])
    private let sharedStore: Bool
    let storeCheckSeconds: Double

    init(sharedStore: Bool = false, storeCheckSeconds: Double = 0.25) {
        self.sharedStore = sharedStore
        self.storeCheckSeconds = storeCheckSeconds
    }

    /// Wakes everyone waiting on `operationId`.
    func signal(_ operationId: String) {
        let list = waiters.withLock { $0.removeValue(forKey: operationId) ?? [] }
        for waiter in list { waiter.continuation.resume() }
    }

    /// Returns when `operationId` is signalled or `seconds` pass, whichever is first.
    /// `isDone` is checked after registering so a signal cannot be missed.
    func wait(for operationId: String, seconds: Double, isDone: @escaping @Sendable () async -> Bool) async {
        let token = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters.withLock { $0[operationId, default: []].append(Waiter(id: token, continuation: continuation)) }
            Task {
                let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                if await isDone() {
                    self.resume(operationId, token: token)
                    return
                }
                guard self.sharedStore else {
                    try? await Task.sleep(until: deadline)
                    self.resume(operationId, token: token)
                    return
                }
                while ContinuousClock.now < deadline, self.isWaiting(operationId, token: token) {
                    try? await Task.sleep(until: min(deadline, ContinuousClock.now + .milliseconds(Int(self.storeCheckSeconds * 1000))))
                    if await isDone() { break }
                }
                self.resume(operationId, token: token)
            }
        }
    }

    private func isWaiting(_ operationId: String, token: UUID) -> Bool {
        waiters.withLock { $0[operationId]?.contains { $0.id == token } ?? false }
    }

    private func resume(_ operationId: String, token: UUID) {
        let waiter = waiters.withLock { all -> Waiter? in
            guard var list = all[operationId], let index = list.firstIndex(where: { $0.id == token }) else { return nil }
            let waiter = list.remove(at: index)
            all[operationId] = list.isEmpty ? nil : list
            return waiter
        }
        waiter?.continuation.resume()
    }
}
