import DRGWCore
import Synchronization
import Testing

@Suite("Background work")
struct BackgroundWorkTests {
    @Test func queuedWorkRunsAndStopsWithItsRunner() async throws {
        let work = BackgroundWork()
        let done = Mutex(0)
        let cancelled = Mutex(false)
        work.submit { done.withLock { $0 += 1 } }
        work.submit {
            // Runs until the runner is cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            cancelled.withLock { $0 = true }
        }
        let runner = Task { await work.run() }
        work.submit { done.withLock { $0 += 1 } }
        let deadline = ContinuousClock.now + .seconds(5)
        while done.withLock({ $0 }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(done.withLock { $0 } == 2)
        runner.cancel()
        await runner.value
        #expect(cancelled.withLock { $0 }, "work still running when its runner stopped was not cancelled")
    }

    @Test func finishEndsTheRunnerOnceTheQueueIsDone() async {
        let work = BackgroundWork()
        let done = Mutex(false)
        work.submit { done.withLock { $0 = true } }
        work.finish()
        await work.run()
        #expect(done.withLock { $0 })
    }
}
