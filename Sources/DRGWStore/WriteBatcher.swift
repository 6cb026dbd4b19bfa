import GRDB
import Synchronization

/// Group commit for the store's writes.
///
/// Every write is queued; one dispatch to GRDB's writer runs everything queued so far in one
/// transaction, each write in its own savepoint (a failing write is rolled back alone and its
/// caller gets the error), and resumes each caller only after the commit. When the store is idle
/// that is one write per transaction as before; under load, writes that arrive while a transaction
/// runs share the next one, which saves a thread hop and a commit per write.
final class WriteBatcher: Sendable {
    typealias Work = @Sendable (Database) throws -> Void

    private struct Queued {
        var work: Work
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queue: [Queued] = []
        var flushing = false
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `work` in the next group transaction and returns its result once that transaction committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let box = Mutex<T?>(nil)
        try await enqueue { db in
            let value = try work(db)
            box.withLock { $0 = value }
        }
        guard let value = box.withLock({ $0.take() }) else { throw DatabaseError(message: "write produced no value") }
        return value
    }

    private func enqueue(_ work: @escaping Work) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = state.withLock { state -> Bool in
                state.queue.append(Queued(work: work, continuation: continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if start { flush() }
        }
    }

    /// One hop to the writer for everything queued now; schedules the next hop when more arrived
    /// meanwhile (a new dispatch, so other users of the writer queue get their turn in between).
    private func flush() {
        writer.asyncWriteWithoutTransaction { [self] db in
            let batch = state.withLock { state -> [Queued] in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return state.queue
            }
            var results: [Result<Void, any Error>] = []
            results.reserveCapacity(batch.count)
            do {
                try db.inTransaction(.immediate) {
                    for item in batch {
                        results.append(Result { try db.inSavepoint { try item.work(db); return .commit } })
                    }
                    return .commit
                }
            } catch {
                results = batch.map { _ in .failure(error) }
            }
            for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
            let more = state.withLock { state -> Bool in
                if state.queue.isEmpty {
                    state.flushing = false
                    return false
                }
                return true
            }
            if more { flush() }
        }
    }
}
