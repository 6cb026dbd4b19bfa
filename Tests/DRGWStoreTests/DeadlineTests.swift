import DRGWCore
import DRGWStore
import Dispatch
import NIOPosix
import Testing

struct TimedOut: Error {}

@Suite struct DeadlineTests {
    @Test func answersWithTheWorkWhenItEndsFirst() async throws {
        let value = try await Deadline.run(seconds: 10, onTimeout: { TimedOut() }) { 42 }
        #expect(value == 42)
    }

    @Test func workErrorsReachTheCaller() async {
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            try await Deadline.run(seconds: 10, onTimeout: { TimedOut() }) { () async throws -> Int in throw Failed() }
        }
    }

    /// Work that ignores cancellation (a continuation only a queue resumes, seconds later) does not
    /// hold the caller past the deadline: the caller gets the timeout error.
    @Test func theDeadlineHoldsAgainstWorkThatIgnoresCancellation() async {
        let started = ContinuousClock.now
        await #expect(throws: TimedOut.self) {
            try await Deadline.run(seconds: 0.05, onTimeout: { TimedOut() }) { () async -> Int in
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 3) { continuation.resume(returning: 1) }
                }
            }
        }
        // Answered at the deadline, not when the work ended (3 s).
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func cancellingTheCallerCancelsTheWork() async {
        let caller = Task {
            try await Deadline.run(seconds: 30, onTimeout: { TimedOut() }) { () async throws -> Int in
                try await Task.sleep(for: .seconds(30))
                return 1
            }
        }
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
    }

    /// Called on an event loop (as a request pinned to its connection's loop is), the work runs on
    /// that same loop.
    @Test func workStaysOnTheCallersEventLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let onLoop = try await withTaskExecutorPreference(EventLoopTaskExecutor(loop)) {
            #expect(loop.inEventLoop)
            return try await Deadline.run(seconds: 10, onTimeout: { TimedOut() }) { loop.inEventLoop }
        }
        #expect(onLoop)
    }
}
