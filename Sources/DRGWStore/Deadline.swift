import Synchronization

/// Runs work with a time limit that holds even when the work does not react to cancellation.
///
/// A task group waits for all its children, so a deadline built from one returns only when the
/// slow call does; a database client still waiting for a connection may ignore cancellation for
/// as long as the database stays away. Here the caller is answered at the deadline and the work
/// is cancelled and left to end on its own.
public enum Deadline {
    /// The value of `body`, or `onTimeout()` thrown once `seconds` pass, whichever comes first.
    public static func run<T: Sendable>(
        seconds: Double, onTimeout: @escaping @Sendable () -> any Error, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = Race<T>()
        defer { race.cancelAll() }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation) {
                Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                }
            }
            race.start(nil) {
                Task {
                    try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                    race.finish(.failure(onTimeout()))
                }
            }
        }
    }

    /// The first result wins; the tasks are cancelled when the caller moves on.
    private final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var finished = false
            var tasks: [Task<Void, Never>] = []
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>?, _ make: () -> Task<Void, Never>) {
            if let continuation { state.withLock { $0.continuation = continuation } }
            let task = make()
            state.withLock { $0.tasks.append(task) }
        }

        func finish(_ result: Result<T, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                guard !state.finished else { return nil }
                state.finished = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
        }

        func cancelAll() {
            for task in state.withLock({ $0.tasks }) { task.cancel() }
        }
    }
}
