import DRGWCore
import Foundation
import Synchronization

/// Lets a request wait (for `Prefer: wait=N`) until the poller finishes an operation.
final class OperationWaiters: Sendable {
    private struct Waiter {
        var id: UUID
        var continuation: CheckedContinuation<Void, Never>
    }

    private let waiters = Mutex<[String: [Waiter]]>([:])

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
                if await isDone() {
                    self.resume(operationId, token: token)
                    return
                }
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                self.resume(operationId, token: token)
            }
        }
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
