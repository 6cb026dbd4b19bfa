import DRGWCore
import DRGWStore
import Foundation
import Hummingbird

/// Drill schedules of the caller's tenant: create, list, get, delete, and run one now.
struct SchedulesController {
    let registry: AccountRegistry
    let schedules: any ScheduleStore
    let reports: any DrillReportStore
    let writes: WriteCoordinator
    let recorder: EvidenceRecorder

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.post("schedules") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: false)
            var schedule = try Self.schedule(from: &body, now: Date())
            _ = try registry.entry(schedule.account, for: tenant)
            schedule.nextRunAt = DrillScheduler.nextRun(schedule, after: Date())
            try await schedules.insertSchedule(StoredSchedule(tenant: tenant.name, schedule: schedule))
            var headers = HTTPFields()
            headers[.location] = "/v1/schedules/\(schedule.id)"
            return ProblemResponse.json(schedule, status: .created, headers: headers)
        }
        group.get("schedules") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let list = try ListQuery(request, filters: ["account"])
            let account = request.uri.queryParameters["account"].map(String.init)
            if let account { _ = try registry.entry(account, for: tenant) }  // 404 unknown, 403 another tenant's
            let page: Page<StoredSchedule>
            do {
                page = try await schedules.schedules(tenant: tenant.name, cursor: list.cursor, limit: list.limit)
            } catch is StoreCursorError {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor this gateway issued")])
            }
            var items: [Schedule] = []
            for stored in page.items where account == nil || stored.schedule.account == account {
                items.append(await withLastDrill(stored.schedule))
            }
            return ProblemResponse.json(Page(items: items, nextCursor: page.nextCursor).answered)
        }
        group.get("schedules/:scheduleId") { request, context in
            let stored = try await find(request, context)
            return ProblemResponse.json(await withLastDrill(stored.schedule))
        }
        group.delete("schedules/:scheduleId") { request, context in
            let stored = try await find(request, context)
            _ = try await schedules.deleteSchedule(id: stored.schedule.id, tenant: stored.tenant)
            return Response(status: .noContent)
        }
        group.post("schedules/:scheduleId/run") { request, context in
            let stored = try await find(request, context)
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let entry = try registry.entry(stored.schedule.account, for: tenant)
            let write = DrillScheduler.createWrite(stored.schedule, on: entry, slot: nil, drillTime: Date(), recorder: recorder)
            let response = try await writes.execute(write, request: request, context: context)
            try? await schedules.recordScheduleRun(id: stored.schedule.id, at: Date(), operationId: response.headers[.location].map {
                String($0.split(separator: "/").last ?? "")
            }, error: nil)
            return response
        }
    }

    private func find(_ request: Request, _ context: GatewayRequestContext) async throws -> StoredSchedule {
        guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
        let id = try context.parameters.id("scheduleId")
        guard let stored = try await schedules.schedule(id: id, tenant: tenant.name) else { throw Problem.notFound("Schedule '\(id)'") }
        return stored
    }

    /// The schedule with `lastDrillId` from its last run's report (the drill id may come later than the run).
    private func withLastDrill(_ schedule: Schedule) async -> Schedule {
        var schedule = schedule
        if let operation = schedule.lastOperationId, let report = try? await reports.report(id: operation) {
            schedule.lastDrillId = report.report.drillId
        }
        return schedule
    }

    /// Validates a create body; every bad field is listed.
    static func schedule(from body: inout JSONBody, now: Date) throws -> Schedule {
        let name = body.string("name", required: true, maxBytes: 40)
        if let name { for error in Validation.nameErrors(name) { body.fail(error.field, error.message) } }
        let account = body.id("account", required: true)
        let group = body.id("protectionGroupId", required: true)
        let cronText = body.string("cron", required: true, maxBytes: 200)
        if let cronText {
            do { _ = try CronSchedule(parsing: cronText) } catch { body.fail("cron", "\(error.field): \(error.message)") }
        }
        let zoneName = body.string("timezone", maxBytes: 64) ?? "UTC"
        // Checked before Foundation sees it: a zone name becomes a file path under the zoneinfo folder.
        let zoneShape = zoneName.utf8.allSatisfy { $0 == 0x2F || $0 == 0x5F || $0 == 0x2B || $0 == 0x2D || (0x30...0x39).contains($0)
            || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) } && !zoneName.contains("..") && !zoneName.hasPrefix("/")
        let zone = zoneShape ? TimeZone(identifier: zoneName) : nil
        if zone == nil { body.fail("timezone", "must be an IANA time zone name such as Europe/Berlin") }
        if let cronText, let zone, let cron = try? CronSchedule(parsing: cronText), cron.nextDate(after: now, in: zone) == nil {
            body.fail("cron", "never fires")
        }
        let evidence = DrillsController.evidenceFields(&body)
        let enabled = body.bool("enabled") ?? true
        body.rejectUnknownFields()
        try body.check()
        var schedule = Schedule(
            id: OpaqueID.random(prefix: "sch"), name: name ?? "", account: account ?? "", protectionGroupId: group ?? "",
            cron: cronText ?? "", timezone: zoneName, enabled: enabled, createdAt: now)
        schedule.cleanupAfter = evidence.cleanupAfter?.text
        schedule.rtoTargetSeconds = evidence.rtoTarget
        schedule.rpoTargetSeconds = evidence.rpoTarget
        return schedule
    }
}
