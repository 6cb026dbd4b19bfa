import DRGWCore
import DRGWStore
import Hummingbird

/// DR drills of one account: list, get, create and delete. Creates and deletes report to the
/// evidence recorder; a drill with a cleanup deadline shows its `expiresAt`.
struct DrillsController {
    let registry: AccountRegistry
    let writes: WriteCoordinator
    let recorder: EvidenceRecorder
    let reports: any DrillReportStore
    /// Labels already read: a polled drill's report is read once a minute, not on every GET.
    let labels = DrillLabelCache()

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        let base = "accounts/:account/drills"
        group.get(RouterPath(base)) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let query = try ListQuery(request, filters: ["protectionGroupId", "status"])
            let status = try ListFilter.value(request, "status", as: DrillStatus.self)
            var groupId: String?
            if let value = request.uri.queryParameters["protectionGroupId"].map(String.init) {
                let errors = Validation.idErrors(value, field: "protectionGroupId")
                if !errors.isEmpty { throw Problem.invalid(errors) }
                groupId = value
            }
            var page = try await entry.provider.listDrills(protectionGroupId: groupId, cursor: query.cursor, limit: query.limit, context: call)
            if let status { page.items.removeAll { $0.status != status } }
            let known = try await reports.reports(account: entry.settings.id, drillIds: page.items.map(\.id))
                .reduce(into: [String: StoredReport]()) { map, stored in
                    if let id = stored.report.drillId { map[id] = stored }
                }
            for index in page.items.indices {
                if let stored = known[page.items[index].id] { Self.overlay(DrillLabel(name: stored.report.name, expiresAt: stored.report.expiresAt), on: &page.items[index]) }
            }
            return ProblemResponse.json(page.answered)
        }
        group.post(RouterPath(base)) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: false)
            let name = body.string("name", required: true, maxBytes: 64)
            if let name {
                for error in Validation.nameErrors(name, allowCJK: entry.provider.namesAllowCJK) {
                    body.fail(error.field, error.message)
                }
            }
            let groupId = body.id("protectionGroupId", required: true)
            let networkId = body.id("drillNetworkId")
            let evidence = Self.evidenceFields(&body)
            body.rejectUnknownFields()
            try body.check()
            let input = CreateDrillInput(name: name ?? "", protectionGroupId: groupId ?? "", drillNetworkId: networkId)
            let drillRequest = EvidenceRecorder.DrillRequest(
                name: input.name, protectionGroupId: input.protectionGroupId, cleanupAfterSeconds: evidence.cleanupAfter?.seconds,
                rtoTargetSeconds: evidence.rtoTarget, rpoTargetSeconds: evidence.rpoTarget)
            return try await writes.execute(
                recorder.createWrite(on: entry, drillRequest, input: input, canonicalBody: body.canonical()), request: request,
                context: context)
        }
        group.get(RouterPath(base + "/:drillId")) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            // The gateway's own record is read while the cloud answers, not after.
            async let known = labels.label(account: entry.settings.id, drillId: id, read: reports.drillLabel)
            var drill: Drill
            do {
                drill = try await entry.provider.drill(id: id, context: call)
            } catch let problem as Problem {
                throw problem.namingMissing("Drill '\(id)'")
            }
            if let label = try await known { Self.overlay(label, on: &drill) }
            return ProblemResponse.json(drill)
        }
        group.delete(RouterPath(base + "/:drillId")) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            return try await writes.execute(recorder.deleteWrite(on: entry, drillId: id), request: request, context: context)
        }
    }

    /// What the gateway knows of a drill it created: its expiry, and the name it was given (a cloud
    /// whose drills have no name upstream, such as Alibaba's, would otherwise show its own id-like name).
    static func overlay(_ label: DrillLabel, on drill: inout Drill) {
        if let expires = label.expiresAt { drill.expiresAt = Timestamp.rfc3339(expires) }
        if !label.name.isEmpty { drill.name = label.name }
    }

    /// The evidence fields of a create: `cleanupAfter` (ISO 8601, `PT1S` … `P30D`) and the targets.
    static func evidenceFields(_ body: inout JSONBody) -> (cleanupAfter: ISO8601Duration?, rtoTarget: Int?, rpoTarget: Int?) {
        var cleanup: ISO8601Duration?
        if let text = body.string("cleanupAfter", maxBytes: 32) {
            do {
                let duration = try ISO8601Duration(parsing: text)
                if (1...30 * 86_400).contains(duration.seconds) {
                    cleanup = duration
                } else {
                    body.fail("cleanupAfter", "must be between PT1S and P30D")
                }
            } catch {
                body.fail("cleanupAfter", error.message)
            }
        }
        let rto = body.int("rtoTargetSeconds", range: 1...31_536_000)
        let rpo = body.int("rpoTargetSeconds", range: 0...31_536_000)
        return (cleanup, rto, rpo)
    }
}
