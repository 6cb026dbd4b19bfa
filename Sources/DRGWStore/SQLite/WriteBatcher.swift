import GRDB
import Synchronization

/// Group commit for the store's writes, and no thread hop when there is nothing to group.
///
/// A write that finds the store idle, and writes not meeting each other lately, commits at once
/// on the caller's thread (GRDB runs a blocking write there when its writer queue is free): no
/// hop to the writer thread and back, two thread wake-ups less per write. Otherwise the write is
/// queued; one dispatch to GRDB's writer runs everything queued so far in one transaction, each
/// write in its own savepoint (a failing write is rolled back alone and its caller gets the
/// error), and resumes each caller only after the commit. Once writes meet (a group of more than
/// one, or arrivals during an inline write) they keep queueing until a few groups in a row held
/// one write each: under load a commit is shared, at one connection a write takes no detour.
final class WriteBatcher: Sendable {
    typealias Work = @Sendable (Database) throws -> Void

    private struct Queued {
        var work: Work
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queue: [Queued] = []
        var flushing = false
        /// Writes met each other lately (a batch of more than one, or arrivals during an inline
        /// write): group commits pay off, so writes queue instead of running inline.
        var contended = false
        /// Groups of one in a row since writes last met.
        var calm = 0
        /// Transactions committed since the last WAL checkpoint became due.
        var uncheckpointed = 0
        /// A checkpoint waits for the next flush.
        var checkpointDue = false
        var counts = Counts()
    }

    /// How writes were committed, for tests and profiling.
    struct Counts: Equatable, Sendable {
        /// Committed on the caller's thread, alone.
        var inline = 0
        /// Committed by a group transaction on the writer's thread.
        var grouped = 0
        /// WAL checkpoints run.
        var checkpoints = 0
    }

    var counts: Counts { state.withLock { $0.counts } }

    /// Writes waiting for the next group (for tests).
    var queued: Int { state.withLock { $0.queue.count } }

    /// Groups of one in a row after which writes run inline again.
    static let calmGroups = 4
    /// Commits between two WAL checkpoints (a few pages each: about SQLite's default 1 000 pages).
    static let checkpointCommits = 256

    private let writer: any DatabaseWriter
    private let state = Mutex(State())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// Runs `work` in the next group transaction and returns its result once that transaction committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let inline = state.withLock { state -> Bool in
            guard !state.flushing, !state.contended else { return false }
            state.flushing = true
            state.counts.inline += 1
            return true
        }
        if inline {
            defer { inlineDone() }
            return try writeNow(work)
        }
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

    /// One transaction on this thread (a synchronous function, so GRDB's blocking API is the one called).
    private func writeNow<T>(_ work: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            var value: T?
            try db.inTransaction(.immediate) {
                value = try work(db)
                return .commit
            }
            guard let value else { throw DatabaseError(message: "write produced no value") }
            return value
        }
    }

    /// Counts a commit; every `checkpointCommits` a passive WAL checkpoint becomes due, which the
    /// next flush runs on GRDB's writer thread before its group. SQLite's automatic checkpoint is off
    /// (`SQLiteStore.configuration`): it runs inside whichever commit crosses its limit, which may be
    /// an inline one on an event loop, and a checkpoint writes the database file and syncs it. While
    /// the checkpoint runs the batcher counts as flushing, so writes queue instead of blocking their
    /// thread on GRDB's busy writer queue. Called with the batcher flushing (inline or group).
    private func committed(_ state: inout State) {
        state.uncheckpointed += 1
        guard state.uncheckpointed >= Self.checkpointCommits else { return }
        state.uncheckpointed = 0
        state.checkpointDue = true
    }

    /// Ends an inline write: flushes what was queued meanwhile (and a due checkpoint), else marks
    /// the store idle.
    private func inlineDone() {
        let more = state.withLock { state -> Bool in
            committed(&state)
            return Self.keepFlushing(&state)
        }
        if more { flush() }
    }

    /// After an inline write or a group: another flush is needed when writes queued meanwhile
    /// (they met this one: contention) or a checkpoint is due; otherwise the store is idle.
    private static func keepFlushing(_ state: inout State) -> Bool {
        if !state.queue.isEmpty {
            state.contended = true
            state.calm = 0
            return true
        }
        if state.checkpointDue { return true }
        state.flushing = false
        return false
    }

    /// One hop to the writer for a due checkpoint and everything queued now; schedules the next hop
    /// when more arrived meanwhile (a new dispatch, so other users of the writer queue get their turn).
    private func flush() {
        writer.asyncWriteWithoutTransaction { [self] db in
            let (batch, checkpoint) = state.withLock { state -> ([Queued], Bool) in
                defer {
                    state.queue.removeAll(keepingCapacity: true)
                    state.checkpointDue = false
                }
                state.counts.grouped += state.queue.count
                if state.checkpointDue { state.counts.checkpoints += 1 }
                return (state.queue, state.checkpointDue)
            }
            if checkpoint { _ = try? db.checkpoint(.passive) }
            var results: [Result<Void, any Error>] = []
            if !batch.isEmpty {
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
            }
            // The state first: a caller resumed below may write again at once, and must see this group ended.
            let more = state.withLock { state -> Bool in
                if !batch.isEmpty {
                    committed(&state)
                    if batch.count > 1 {
                        state.contended = true
                        state.calm = 0
                    } else {
                        state.calm += 1
                        if state.calm >= Self.calmGroups { state.contended = false }
                    }
                }
                return Self.keepFlushing(&state)
            }
            for (item, result) in zip(batch, results) { item.continuation.resume(with: result) }
            if more { flush() }
        }
    }
}
