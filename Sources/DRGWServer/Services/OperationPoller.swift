import DRGWCore
import DRGWStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Follows every running operation's upstream job until it ends, with backoff, and resumes
/// after a restart because operations live in the store.
public struct OperationPoller: Service {
    let store: any OperationStore
    let registry: AccountRegistry
    let waiters: OperationWaiters
    let logger: Logger
    let settings: GatewayConfig.Operations
    /// Wakes the loop when a poll ends while more work was due than slots were free.
    let wakeup = PollerWakeup()
    private let flags = PollerFlags()
    /// Told when an operation ends (drill evidence).
    var observer: (any OperationObserver)?

    init(
        store: any OperationStore, registry: AccountRegistry, waiters: OperationWaiters, logger: Logger,
        settings: GatewayConfig.Operations = .init()
    ) {
        self.store = store
        self.registry = registry
        self.waiters = waiters
        self.logger = logger
        self.settings = settings
    }

    public func run() async throws {
        let inFlight = InFlightCount()
        try? await cancelWhenGracefulShutdown {
            // Each poll runs on its own, so one slow upstream answer never holds up the others;
            // a claimed operation is leased in the store and cannot be claimed twice meanwhile.
            // The loop claims again as soon as a poll frees a slot while work is backed up, and
            // otherwise scans every `scanSeconds`.
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    let free = settings.maxConcurrentPolls - inFlight.value.withLock { $0 }
                    if free > 0 {
                        let claimed = await claim(now: Date(), limit: free)
                        flags.backlog.withLock { $0 = claimed.count == free }
                        for operation in claimed {
                            inFlight.value.withLock { $0 += 1 }
                            group.addTask {
                                await self.poll(operation, now: Date())
                                inFlight.value.withLock { $0 -= 1 }
                                if self.flags.backlog.withLock({ $0 }) { self.wakeup.signal() }
                            }
                        }
                        if claimed.count == free { continue }
                    }
                    await wakeup.wait(seconds: settings.scanSeconds)
                }
            }
        }
    }

    /// Polls every due operation once and waits for all of them (for tests and tools).
    func pollOnce(now: Date) async {
        let due = await claim(now: now, limit: settings.maxConcurrentPolls)
        await withTaskGroup(of: Void.self) { group in
            for operation in due { group.addTask { await self.poll(operation, now: now) } }
        }
    }

    private func claim(now: Date, limit: Int) async -> [StoredOperation] {
        do {
            let claimed = try await store.claimDue(at: now, limit: limit, leaseSeconds: settings.leaseSeconds)
            if flags.storeDown.withLock({ down in defer { down = false }; return down }) {
                logger.notice("operation store reachable again")
            }
            return claimed
        } catch {
            if !flags.storeDown.withLock({ down in defer { down = true }; return down }) {
                logger.warning("operation store unavailable", metadata: ["error": .string(String(describing: error))])
            }
            return []
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
        // When the poll that sees the end was sent: a drill's readyAt (its RTO) is no later than this.
        let sentAt = Date()
        stored.operation.pollAttempts = (stored.operation.pollAttempts ?? 0) + 1
        do {
            progress = try await Self.within(seconds: settings.leaseSeconds * 0.8) {
                try await entry.provider.progress(of: job, context: context)
            }
            stored.operation.lastPolledAt = Timestamp.rfc3339(sentAt)
            if stored.operation.lastPollError != nil {
                logger.notice("operation poll answered again", metadata: Self.metadata(stored, entry: entry, problem: nil))
            }
            stored.operation.lastPollError = nil
        } catch {
            let problem = (error as? Problem) ?? Problem(.upstreamUnavailable, detail: "The job poll got no answer.")
            if error is Problem, !problem.retryable {
                progress = .failed(problem)
            } else {
                // No answer: the job may still run upstream. Kept running and polled again, until
                // the job could not be read for the kind's limit.
                if stored.operation.lastPollError == nil {
                    logger.warning("operation poll failed; the operation keeps running", metadata: Self.metadata(stored, entry: entry, problem: problem))
                }
                stored.operation.lastPollError = problem
                let lastAnswer = (stored.operation.lastPolledAt ?? stored.operation.createdAt)
                let limit = settings.maxAge(kind: stored.operation.kind)
                if let since = Timestamp.parseRFC3339(lastAnswer), now.timeIntervalSince(since) > limit {
                    progress = .failed(
                        Problem(
                            .upstreamTimeout,
                            detail: "The upstream job could not be read for \(Int(limit)) s (operations.maxAgeSeconds); it may still run upstream.",
                            provider: entry.provider.name))
                } else {
                    progress = .running
                }
            }
        }
        finish(&stored, progress: progress, now: now)
        await persist(stored, observedAt: sentAt)
    }

    private static func metadata(_ stored: StoredOperation, entry: AccountRegistry.Entry, problem: Problem?) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "operation": .string(stored.operation.id), "kind": .string(stored.operation.kind),
            "account": .string(stored.operation.account), "provider": .string(entry.provider.name),
        ]
        if let problem {
            metadata["code"] = .string(problem.code)
            if let providerCode = problem.providerCode { metadata["provider_code"] = .string(providerCode) }
            if let requestId = problem.providerRequestId { metadata["provider_request_id"] = .string(requestId) }
        }
        return metadata
    }

    /// Runs `body`, cancelled after `seconds`: a poll never outlives its lease, so no other
    /// poller (on this replica or another) can claim the operation while it still runs.
    static func within<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .microseconds(Int64(seconds * 1_000_000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw Problem(.upstreamTimeout, detail: "The upstream job poll did not answer within the operation lease.")
            }
            return value
        }
    }

    private func finish(_ stored: inout StoredOperation, progress: JobProgress, now: Date) {
        stored.polls += 1
        stored.operation.updatedAt = Timestamp.rfc3339(now)
        switch progress {
        case .running, .creating:
            if case .creating(let resourceId) = progress, stored.operation.resource.id == nil {
                stored.operation.resource.id = resourceId
            }
            // 0.25 s, 0.5 s, 1 s, 2 s, then every 3 s (a drill being created: every 0.5 s, its RTO resolution).
            let delay = min(Self.maxPollInterval(kind: stored.operation.kind), 0.25 * pow(2, Double(min(stored.polls, 8) - 1)))
            stored.nextPollAt = now.addingTimeInterval(delay)
        case .succeeded(let resourceId):
            stored.operation.status = .succeeded
            if let resourceId { stored.operation.resource.id = resourceId }
            Self.count(kind: stored.operation.kind, status: "succeeded")
        case .failed(let problem):
            stored.operation.status = .failed
            stored.operation.error = problem
            Self.count(kind: stored.operation.kind, status: "failed")
        }
    }

    private struct CountKey: Hashable {
        var kind: String
        var status: String
    }

    /// `drgw_operations_total{kind,status}` handles (kinds come from the controllers: a bounded set).
    private static let counters = HandleCache<CountKey, Counter>()

    private static func count(kind: String, status: String) {
        counters.handle(CountKey(kind: kind, status: status)) {
            Counter(label: "drgw_operations_total", dimensions: [("kind", kind), ("status", status)])
        }.increment()
    }

    /// Saves the poll's result under the claim it was made under: when another replica claimed
    /// the operation since (this poll outlived its lease), the result is dropped.
    private func persist(_ stored: StoredOperation, observedAt: Date = Date()) async {
        do {
            // The drill's report is brought up to date first: once a client reads the operation
            // as ended, the report already names the drill.
            if stored.operation.status.isTerminal { await observer?.operationEnded(stored, at: observedAt) }
            guard try await store.saveClaimed(stored) else {
                logger.notice(
                    "poll result dropped: another poller claimed the operation",
                    metadata: ["operation": .string(stored.operation.id)])
                return
            }
            if stored.operation.status.isTerminal { waiters.signal(stored.operation.id) }
        } catch {
            logger.warning("could not save operation", metadata: ["operation": .string(stored.operation.id)])
        }
    }
}


/// What the poller's loop remembers between rounds.
private final class PollerFlags: Sendable {
    /// The last claim filled every free slot: more operations may be due right now.
    let backlog = Mutex(false)
    /// The store failed the last claim (logged once per change, not per scan).
    let storeDown = Mutex(false)
}

/// How many polls run now.
private final class InFlightCount: Sendable {
    let value = Mutex(0)
}
