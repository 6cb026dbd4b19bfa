import DRGWCore
import DRGWStore
import Foundation
import Logging
import ServiceLifecycle

/// Starts the drill of each due schedule slot through the normal create path.
///
/// A slot's create carries the Idempotency-Key `drgw-schedule:<id>:<slot unix seconds>` on the
/// create path of the schedule's tenant, so firing it again (after a crash between the create and
/// moving the schedule on, or from a second gateway on the same store) replays the first answer
/// instead of making a second drill. Only then is the schedule moved on, with a compare-and-set
/// on the slot. A schedule whose slots passed while no gateway ran fires once, for the first
/// missed slot, and then continues with the next slot after now.
struct DrillScheduler: Service {
    let schedules: any ScheduleStore
    let reports: any DrillReportStore
    let registry: AccountRegistry
    let writes: WriteCoordinator
    let recorder: EvidenceRecorder
    let settings: GatewayConfig.Evidence
    let logger: Logger
    /// A slot whose create keeps failing with a retryable error is given up after this long.
    let giveUpSeconds: Double = 600

    func run() async throws {
        await periodically(every: settings.scheduleTickSeconds) { await tick(now: Date()) }
    }

    /// Fires every due schedule once.
    func tick(now: Date) async {
        guard let due = try? await schedules.dueSchedules(at: now, limit: 32) else {
            logger.warning("schedule store unavailable to the scheduler")
            return
        }
        for stored in due { await fire(stored, now: now) }
    }

    /// The outcome of one attempt at a slot's drill.
    struct Attempt: Sendable {
        var operationId: String?
        var error: String?
        /// The create failed in a way worth trying again (upstream down, throttled).
        var retry: Bool
    }

    func fire(_ stored: StoredSchedule, now: Date) async {
        let schedule = stored.schedule
        guard let slot = schedule.nextRunAt else { return }
        let next = Self.nextRun(schedule, after: max(now, slot))
        guard let entry = registry.entry(schedule.account) else {
            _ = try? await schedules.advanceSchedule(
                id: schedule.id, from: slot, to: next, lastRunAt: now, lastOperationId: nil,
                lastError: "account \(schedule.account) is no longer configured")
            return
        }
        // A drill already made for this slot (found by its report, which outlives the key's
        // idempotency record): move on without another create.
        if let existing = try? await reports.report(scheduleId: schedule.id, slot: slot) {
            _ = try? await schedules.advanceSchedule(
                id: schedule.id, from: slot, to: next, lastRunAt: now, lastOperationId: existing.report.id, lastError: nil)
            return
        }
        let key = "drgw-schedule:\(schedule.id):\(Int(slot.timeIntervalSince1970))"
        let origin = WriteCoordinator.Origin(
            tenant: stored.tenant, method: "POST", path: "/v1/accounts/\(schedule.account)/drills", key: key, wait: nil,
            requestId: "schedule-" + RandomID.hex128().prefix(16), traceparent: nil)
        let attempt = await start(schedule, on: entry, slot: slot, drillTime: slot, origin: origin)
        if attempt.retry, now.timeIntervalSince(slot) < giveUpSeconds { return }  // the next tick tries the same key again
        let moved = (try? await schedules.advanceSchedule(
            id: schedule.id, from: slot, to: next, lastRunAt: now, lastOperationId: attempt.operationId, lastError: attempt.error)) ?? false
        if moved {
            logger.info(
                "schedule fired",
                metadata: [
                    "schedule": .string(schedule.id), "slot": .string(Timestamp.rfc3339(slot)),
                    "operation": .string(attempt.operationId ?? "-"),
                ])
        }
    }

    /// Creates the schedule's drill through the exactly-once write path.
    func start(_ schedule: Schedule, on entry: AccountRegistry.Entry, slot: Date?, drillTime: Date, origin: WriteCoordinator.Origin) async -> Attempt {
        let write = Self.createWrite(schedule, on: entry, slot: slot, drillTime: drillTime, recorder: recorder)
        do {
            let (record, _) = try await writes.run(write, origin: origin)
            let body = (try? JSONSerialization.jsonObject(with: Data(record.body))) as? [String: Any] ?? [:]
            if (200..<300).contains(record.status) { return Attempt(operationId: body["id"] as? String, error: nil, retry: false) }
            return Attempt(operationId: nil, error: "\(body["code"] as? String ?? "error"): \(body["detail"] as? String ?? "")", retry: false)
        } catch {
            let problem = ProblemResponse.problem(for: error)
            return Attempt(operationId: nil, error: "\(problem.code): \(problem.detail)", retry: problem.retryable)
        }
    }

    /// The drill create a schedule makes: the schedule's group, targets and cleanup, named after
    /// the schedule and the slot's UTC time, so that the body (and its fingerprint) is the same
    /// every time the slot fires.
    static func createWrite(
        _ schedule: Schedule, on entry: AccountRegistry.Entry, slot: Date?, drillTime: Date, recorder: EvidenceRecorder
    ) -> WriteCoordinator.Write {
        let name = "\(schedule.name)-\(Timestamp.basicISO8601(drillTime))"
        let input = CreateDrillInput(name: name, protectionGroupId: schedule.protectionGroupId)
        // The fingerprint of the write: the schedule and its settings, not the time-stamped name, so
        // that a run-now sent again with the same Idempotency-Key a second later replays.
        var body: [String: Any] = ["scheduleId": schedule.id, "protectionGroupId": schedule.protectionGroupId]
        if let slot { body["slot"] = Timestamp.rfc3339(slot) }
        if let cleanup = schedule.cleanupAfter { body["cleanupAfter"] = cleanup }
        if let rto = schedule.rtoTargetSeconds { body["rtoTargetSeconds"] = rto }
        if let rpo = schedule.rpoTargetSeconds { body["rpoTargetSeconds"] = rpo }
        let canonical = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])).map(Array.init) ?? []
        let request = EvidenceRecorder.DrillRequest(
            name: name, protectionGroupId: schedule.protectionGroupId,
            cleanupAfterSeconds: schedule.cleanupAfter.flatMap { try? ISO8601Duration(parsing: $0).seconds },
            rtoTargetSeconds: schedule.rtoTargetSeconds, rpoTargetSeconds: schedule.rpoTargetSeconds, scheduleId: schedule.id, slot: slot)
        return recorder.createWrite(on: entry, request, input: input, canonicalBody: canonical)
    }

    /// The first slot strictly after `date`, or nil when the schedule is disabled or never fires again.
    static func nextRun(_ schedule: Schedule, after date: Date) -> Date? {
        guard schedule.enabled, let cron = try? CronSchedule(parsing: schedule.cron),
            let zone = TimeZone(identifier: schedule.timezone)
        else { return nil }
        return cron.nextDate(after: date, in: zone)
    }
}
