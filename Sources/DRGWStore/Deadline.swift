import DRGWCore
import NIOCore
import NIOPosix
import Synchronization

/// Runs work with a time limit that holds even when the work does not react to cancellation.
///
/// A task group waits for all its children, so a deadline built from one returns only when the
/// slow call does; a database client still waiting for a connection may ignore cancellation for
/// as long as the database stays away. Here the caller is answered at the deadline and the work
/// is cancelled and left to end on its own.
///
/// Cheap on the request path: called on a NIO event loop (a request pinned to its connection's
/// loop), the work runs on that loop and the timer is one of the loop's scheduled tasks, so
/// neither wakes another thread.
public enum Deadline {
    /// The value of `body`, or `onTimeout()` thrown once `seconds` pass, whichever comes first.
    /// Cancelling the caller cancels `body`.
    public static func run<T: Sendable>(
        seconds: Double, onTimeout: @escaping @Sendable () -> any Error, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.begin(continuation)
                let work: Task<Void, Never>
                if let loop {
                    work = Task(executorPreference: EventLoopTaskExecutor(loop)) { await race.run(body) }
                } else {
                    work = Task { await race.run(body) }
                }
                let timer = (loop ?? MultiThreadedEventLoopGroup.singleton.any()).scheduleTask(
                    in: .nanoseconds(Int64(max(0, seconds) * 1e9))
                ) {
                    race.finish(.failure(onTimeout()))
                }
                race.hold(work, timer)
            }
        } onCancel: {
            race.cancelWork()
        }
    }

    /// The first result wins; the loser (the work or the timer) is cancelled.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var finished = false
            var cancelled = false
            var work: Task<Void, Never>?
            var timer: Scheduled<Void>?
        }
        private let state = Mutex(State())

        func begin(_ continuation: CheckedContinuation<T, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        func run(_ body: @Sendable () async throws -> T) async {
            do { finish(.success(try await body())) } catch { finish(.failure(error)) }
        }

        /// Keeps the work and the timer; when the race already ended, cancels what is left.
        func hold(_ work: Task<Void, Never>, _ timer: Scheduled<Void>) {
            let (finished, cancelled) = state.withLock { state in
                state.work = work
                state.timer = timer
                return (state.finished, state.cancelled)
            }
            if finished { cancelLosers() }
            if cancelled { work.cancel() }
        }

        func finish(_ result: Result<T, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard !state.finished else { return nil }
                state.finished = true
                defer { state.continuation = nil }
                return state.continuation
            }
            guard let continuation else { return }
            cancelLosers()
            continuation.resume(with: result)
        }

        func cancelWork() {
            let work = state.withLock { state in
                state.cancelled = true
                return state.work
            }
            work?.cancel()
        }

        private func cancelLosers() {
            let (work, timer) = state.withLock { ($0.work, $0.timer) }
            timer?.cancel()
            work?.cancel()
        }
    }
}
