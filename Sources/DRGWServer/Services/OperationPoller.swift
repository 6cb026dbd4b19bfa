import DRGWCore
import DRGWStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Follows every running operation's upstream job until it ends, with backoff, and resumes
/// after a restart because operations live in the store.
public struct OperationPoller: Service {
    let store: any OperationStore
    let registry: AccountRegistry
    let waiters: OperationWaiters
    let logger: Logger
    /// Seconds between scans of the store.
    let tick: Double
    /// An operation still running after this many seconds fails with `upstream_timeout`.
    let maxAge: Double

    init(store: any OperationStore, registry: AccountRegistry, waiters: OperationWaiters, logger: Logger, tick: Double = 0.1, maxAge: Double = 3600) {
        self.store = store
        self.registry = registry
        self.waiters = waiters
        self.logger = logger
        self.tick = tick
        self.maxAge = maxAge
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pollOnce(now: Date())
                try? await Task.sleep(for: .milliseconds(Int(tick * 1000)))
            }
        }
    }

    /// Polls every due operation once, a few at a time.
    func pollOnce(now: Date) async {
        let due: [StoredOperation]
        do {
            due = try await store.claimDue(at: now, limit: 64, leaseSeconds: 30)
        } catch {
            logger.warning("operation store unavailable", metadata: ["error": .string(String(describing: type(of: error)))])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for operation in due {
                if running >= 8 {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.poll(operation, now: now) }
                running += 1
            }
        }
    }

    func poll(_ stored: StoredOperation, now: Date) async {
        var stored = stored
        guard let job = stored.job, let entry = registry.entry(stored.operation.account) else {
            finish(&stored, progress: .failed(Problem(.internalError, detail: "The operation's account is no longer configured.")), now: now)
            await persist(stored)
            return
        }
        let context = CallContext(requestId: "poll-" + stored.operation.id)
        let progress: JobProgress
        do {
            progress = try await entry.provider.progress(of: job, context: context)
        } catch let problem as Problem where !problem.retryable {
            progress = .failed(problem)
        } catch {
            progress = .running
        }
        if case .running = progress, let created = Timestamp.parseRFC3339(stored.operation.createdAt),
            now.timeIntervalSince(created) > maxAge
        {
            finish(&stored, progress: .failed(Problem(.upstreamTimeout, detail: "The upstream job did not end in time.")), now: now)
        } else {
            finish(&stored, progress: progress, now: now)
        }
        await persist(stored)
    }

    private func finish(_ stored: inout StoredOperation, progress: JobProgress, now: Date) {
        stored.polls += 1
        stored.operation.updatedAt = Timestamp.rfc3339(now)
        switch progress {
        case .running:
            // 0.25 s, 0.5 s, 1 s, 2 s, then every 3 s.
            let delay = min(3, 0.25 * pow(2, Double(min(stored.polls, 8) - 1)))
            stored.nextPollAt = now.addingTimeInterval(delay)
        case .succeeded(let resourceId):
            stored.operation.status = .succeeded
            if let resourceId { stored.operation.resource.id = resourceId }
            Counter(label: "drgw_operations_total", dimensions: [("kind", stored.operation.kind), ("status", "succeeded")]).increment()
        case .failed(let problem):
            stored.operation.status = .failed
            stored.operation.error = problem
            Counter(label: "drgw_operations_total", dimensions: [("kind", stored.operation.kind), ("status", "failed")]).increment()
        }
    }

    private func persist(_ stored: StoredOperation) async {
        do {
            try await store.save(stored)
            if stored.operation.status.isTerminal { waiters.signal(stored.operation.id) }
        } catch {
            logger.warning("could not save operation", metadata: ["operation": .string(stored.operation.id)])
        }
    }
}

