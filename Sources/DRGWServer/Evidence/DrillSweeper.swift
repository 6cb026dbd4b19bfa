import DRGWCore
import DRGWStore
import Foundation
import Logging
import ServiceLifecycle

/// Cleans drills up after their `expiresAt` and checks that cleanups hold.
///
/// Each pass claims the reports whose next check has come (a lease in the store, so two
/// gateways never work on one report at once) and moves each one step:
/// - past `expiresAt` and ready (or failed with a drill id): delete it through the normal
///   exactly-once delete, with an Idempotency-Key per attempt (`drgw-cleanup:<report>:<n>`);
/// - a delete running: wait; ended: let the recorder note it (in case the poller's hook was missed);
/// - deleted: read the drill upstream; not found → `cleanupVerified`; still there → leftover, and
///   deleted again up to `maxDeleteAttempts` times;
/// - leftover: read again; gone → verified, else delete again while attempts remain.
///
/// Only drills with a report are ever deleted: a drill made outside the gateway has none.
struct DrillSweeper: Service {
    let reports: any DrillReportStore
    let operations: any OperationStore
    let registry: AccountRegistry
    let writes: WriteCoordinator
    let recorder: EvidenceRecorder
    let metrics: EvidenceMetrics
    let settings: GatewayConfig.Evidence
    let logger: Logger

    func run() async throws {
        await periodically(every: settings.sweepSeconds) { await sweepOnce(now: Date()) }
    }

    /// One pass: every due report one step further, then the gauges.
    func sweepOnce(now: Date) async {
        let due: [StoredReport]
        do {
            due = try await reports.claimDueReports(at: now, limit: 32, leaseSeconds: 120)
        } catch {
            logger.warning("report store unavailable to the sweeper")
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for stored in due { group.addTask { await self.step(stored, now: now) } }
        }
        await metrics.refresh(from: reports)
    }

    private var recheck: Double { max(settings.sweepSeconds, 0.5) }

    func step(_ stored: StoredReport, now: Date) async {
        let report = stored.report
        guard let entry = registry.entry(report.account) else {
            await reschedule(stored, at: now.addingTimeInterval(3600))
            return
        }
        switch report.cleanupStatus {
        case .scheduled:
            guard let expires = report.expiresAt, expires <= now else {
                await reschedule(stored, at: report.expiresAt)
                return
            }
            if report.readyAt == nil, report.outcome != .failed,
                let create = try? await operations.operation(id: report.id, tenant: stored.tenant), create.operation.status == .running
            {
                await reschedule(stored, at: now.addingTimeInterval(recheck))  // still being created
                return
            }
            guard report.drillId != nil else {
                _ = try? await reports.updateReport(id: report.id) { $0.report.cleanupStatus = .notNeeded; $0.nextCheckAt = nil }
                return
            }
            await startDelete(stored, entry: entry, now: now)
        case .deleting:
            let lastDelete = report.operations.last { $0 != report.id }
            if let lastDelete, let operation = try? await operations.operation(id: lastDelete, tenant: stored.tenant) {
                if operation.operation.status == .running {
                    await reschedule(stored, at: now.addingTimeInterval(recheck))
                    return
                }
                await recorder.deleteEnded(operation.operation, at: now)
                if operation.operation.status == .failed, stored.deleteAttempts < settings.maxDeleteAttempts,
                    operation.operation.error?.hasCode(.notFound) != true
                {
                    await startDelete(stored, entry: entry, now: now)
                }
                return
            }
            await startDelete(stored, entry: entry, now: now)
        case .deleted:
            await verify(stored, entry: entry, now: now, retryDelete: false)
        case .leftover:
            await verify(stored, entry: entry, now: now, retryDelete: true)
        case .none, .verified, .notNeeded:
            await reschedule(stored, at: nil)
        }
    }

    private func reschedule(_ stored: StoredReport, at date: Date?) async {
        _ = try? await reports.updateReport(id: stored.report.id) { $0.nextCheckAt = date }
    }

    /// Reads the drill upstream: not found confirms the cleanup; still there is a leftover.
    private func verify(_ stored: StoredReport, entry: AccountRegistry.Entry, now: Date, retryDelete: Bool) async {
        guard let drillId = stored.report.drillId else {
            await reschedule(stored, at: nil)
            return
        }
        let context = CallContext(requestId: "sweep-" + RandomID.hex128().prefix(16))
        let upstream: Drill?
        do {
            upstream = try await entry.provider.drill(id: drillId, context: context)
        } catch let problem as Problem where problem.hasCode(.notFound) {
            upstream = nil
        } catch {
            await reschedule(stored, at: now.addingTimeInterval(max(settings.verifyAfterSeconds, recheck)))
            return
        }
        guard let upstream, upstream.status != .deleted else {
            _ = try? await reports.updateReport(id: stored.report.id) { current in
                current.report.cleanupVerified = true
                current.report.cleanupStatus = .verified
                current.report.cleanedUpAt = current.report.cleanedUpAt ?? now
                current.report.findings.append("cleanup verified: the drill was no longer found upstream at \(Timestamp.rfc3339(now))")
                current.nextCheckAt = nil
            }
            return
        }
        if upstream.status == .deleting {
            await reschedule(stored, at: now.addingTimeInterval(max(settings.verifyAfterSeconds, recheck)))
            return
        }
        let attemptsLeft = stored.deleteAttempts < settings.maxDeleteAttempts
        let wasLeftover = stored.report.cleanupStatus == .leftover
        _ = try? await reports.updateReport(id: stored.report.id) { current in
            if !wasLeftover {
                current.report.findings.append(
                    "leftover: the drill was still upstream (\(upstream.providerStatus)) at \(Timestamp.rfc3339(now)) after a delete reported success")
            }
            current.report.cleanupStatus = .leftover
            current.report.cleanupVerified = false
            current.report.cleanedUpAt = nil
            current.nextCheckAt = now.addingTimeInterval(attemptsLeft ? recheck : 600)
        }
        if retryDelete, attemptsLeft, let latest = try? await reports.report(id: stored.report.id) {
            await startDelete(latest, entry: entry, now: now)
        }
    }

    /// Starts delete attempt n+1 through the exactly-once path, in the name of the drill's tenant.
    private func startDelete(_ stored: StoredReport, entry: AccountRegistry.Entry, now: Date) async {
        guard let drillId = stored.report.drillId else { return }
        let attempt = stored.deleteAttempts + 1
        let wasLeftover = stored.report.cleanupStatus == .leftover
        _ = try? await reports.updateReport(id: stored.report.id) { current in
            current.deleteAttempts = attempt
            if !wasLeftover { current.report.cleanupStatus = .deleting }
            current.nextCheckAt = now.addingTimeInterval(max(60, settings.sweepSeconds))
        }
        let origin = WriteCoordinator.Origin(
            tenant: stored.tenant, method: "DELETE", path: "/v1/accounts/\(stored.report.account)/drills/\(drillId)",
            key: "drgw-cleanup:\(stored.report.id):\(attempt)", wait: nil, requestId: "cleanup-" + RandomID.hex128().prefix(16),
            traceparent: nil)
        do {
            let (record, _) = try await writes.run(recorder.deleteWrite(on: entry, drillId: drillId), origin: origin)
            // A replay (the attempt ran before a restart): make sure its operation is on the report.
            if let body = try? JSONSerialization.jsonObject(with: Data(record.body)) as? [String: Any], let id = body["id"] as? String {
                _ = try? await reports.updateReport(id: stored.report.id) { current in
                    if !current.report.operations.contains(id) { current.report.operations.append(id) }
                }
            }
        } catch {
            let problem = ProblemResponse.problem(for: error)
            let gone = problem.hasCode(.notFound)
            let retryAt = now.addingTimeInterval(recheck * Double(min(attempt, 10)))
            _ = try? await reports.updateReport(id: stored.report.id) { current in
                if gone {
                    current.report.cleanedUpAt = current.report.cleanedUpAt ?? now
                    current.report.cleanupStatus = .deleted
                    current.nextCheckAt = now.addingTimeInterval(settings.verifyAfterSeconds)
                } else {
                    current.report.findings.append("cleanup delete attempt \(attempt) failed (\(problem.code))")
                    if attempt >= settings.maxDeleteAttempts || !problem.retryable { current.report.cleanupStatus = .leftover }
                    current.nextCheckAt = retryAt
                }
            }
        }
    }
}
