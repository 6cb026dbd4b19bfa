import DRGWCore
import DRGWStore
import Foundation
import Logging

/// Writes each drill's report as the drill moves: asked for (create accepted upstream), ready
/// (RTO measured, RPO read from the provider, verdict), deleted, and keeps the evidence metrics.
/// Every step is an idempotent update of the stored report, so a step seen twice (the poller's
/// hook and the sweeper's fallback) changes nothing the second time.
struct EvidenceRecorder: OperationObserver {
    let reports: any DrillReportStore
    let registry: AccountRegistry
    let metrics: EvidenceMetrics
    let settings: GatewayConfig.Evidence
    let logger: Logger

    /// What a drill create asked for besides the drill itself.
    struct DrillRequest: Sendable {
        var name: String
        var protectionGroupId: String
        var cleanupAfterSeconds: Int?
        var rtoTargetSeconds: Int?
        var rpoTargetSeconds: Int?
        var scheduleId: String?
        var slot: Date?
    }

    // MARK: Writes through the exactly-once path

    /// The drill create of the unified API, reporting to this recorder once it is accepted.
    func createWrite(on entry: AccountRegistry.Entry, _ request: DrillRequest, input: CreateDrillInput, canonicalBody: [UInt8])
        -> WriteCoordinator.Write
    {
        let provider = entry.provider
        return WriteCoordinator.Write(
            account: entry, kind: "drill.create", resource: ResourceReference(type: "drill", id: nil), canonicalBody: canonicalBody,
            perform: { try await provider.createDrill(input, context: $0) },
            started: { await self.drillCreated($0, request: request, entry: entry) })
    }

    /// The drill delete of the unified API (a person's or the sweeper's), reporting to this recorder.
    func deleteWrite(on entry: AccountRegistry.Entry, drillId: String) -> WriteCoordinator.Write {
        let provider = entry.provider
        let account = entry.settings.id
        return WriteCoordinator.Write(
            account: entry, kind: "drill.delete", resource: ResourceReference(type: "drill", id: drillId), canonicalBody: [],
            perform: { try await provider.deleteDrill(id: drillId, context: $0) },
            started: { await self.drillDeleteStarted($0, account: account, drillId: drillId) })
    }

    // MARK: Steps

    /// A create was accepted upstream: the report starts, with the request's time and targets.
    func drillCreated(_ started: WriteCoordinator.StartedWrite, request: DrillRequest, entry: AccountRegistry.Entry) async {
        let operation = started.operation
        var report = DrillReport(
            id: operation.id, account: entry.settings.id, provider: entry.provider.name,
            protectionGroupId: request.protectionGroupId, name: request.name, requestedAt: started.requestedAt)
        report.drillId = operation.resource.id
        Self.apply(request, requestedAt: started.requestedAt, requestIds: started.upstreamRequestIds, to: &report)
        let stored = StoredReport(tenant: started.tenant, report: report, nextCheckAt: report.expiresAt, slot: request.slot)
        do {
            if try await reports.insertReport(stored) { return }
            // The poller finished the create first and rebuilt a report: put the request's facts in.
            _ = try await reports.updateReport(id: operation.id) { current in
                Self.apply(request, requestedAt: started.requestedAt, requestIds: started.upstreamRequestIds, to: &current.report)
                current.report.name = request.name
                current.report.protectionGroupId = request.protectionGroupId
                current.slot = request.slot
                if let ready = current.report.readyAt {
                    current.report.rtoSeconds = DrillVerdict.rtoSeconds(requestedAt: started.requestedAt, readyAt: ready)
                }
                if current.report.cleanupStatus == .none, let expires = current.report.expiresAt {
                    current.report.cleanupStatus = .scheduled
                    current.nextCheckAt = expires
                }
            }
        } catch {
            logger.warning("could not write a drill report", metadata: ["operation": .string(operation.id)])
        }
    }

    private static func apply(_ request: DrillRequest, requestedAt: Date, requestIds: [String], to report: inout DrillReport) {
        report.requestedAt = requestedAt
        report.rtoTargetSeconds = request.rtoTargetSeconds
        report.rpoTargetSeconds = request.rpoTargetSeconds
        report.scheduleId = request.scheduleId
        report.expiresAt = request.cleanupAfterSeconds.map { requestedAt.addingTimeInterval(Double($0)) }
        if report.expiresAt != nil, report.cleanupStatus == .none { report.cleanupStatus = .scheduled }
        merge(requestIds, into: &report.providerRequestIds)
    }

    private static func merge(_ ids: [String], into list: inout [String]) {
        for id in ids where !list.contains(id) { list.append(id) }
    }

    /// A delete was accepted upstream (a person's or the sweeper's).
    func drillDeleteStarted(_ started: WriteCoordinator.StartedWrite, account: String, drillId: String) async {
        guard let report = try? await reports.report(account: account, drillId: drillId) else { return }
        let fallback = max(60, settings.sweepSeconds)
        _ = try? await reports.updateReport(id: report.report.id) { current in
            if !current.report.operations.contains(started.operation.id) { current.report.operations.append(started.operation.id) }
            Self.merge(started.upstreamRequestIds, into: &current.report.providerRequestIds)
            current.report.cleanupStatus = .deleting
            // The poller's hook moves it on when the delete ends; this is the sweeper's fallback.
            current.nextCheckAt = started.requestedAt.addingTimeInterval(fallback)
        }
    }

    func operationEnded(_ stored: StoredOperation, at now: Date) async {
        switch stored.operation.kind {
        case "drill.create": await createEnded(stored.operation, tenant: stored.tenant, at: now)
        case "drill.delete": await deleteEnded(stored.operation, at: now)
        default: return
        }
    }

    /// The create ended: ready (RTO, RPO, verdict) or failed.
    func createEnded(_ operation: GatewayOperation, tenant: String, at now: Date) async {
        guard let entry = registry.entry(operation.account) else { return }
        do {
            var existing = try await reports.report(id: operation.id)
            if existing == nil {
                existing = try await rebuild(operation, tenant: tenant, entry: entry)
            }
            guard let existing, existing.report.readyAt == nil || operation.status == .failed else { return }
            let report = existing.report
            switch operation.status {
            case .succeeded:
                let drillId = operation.resource.id ?? report.drillId
                let requestIds = UpstreamRequestIDs()
                var estimate = RecoveryPointEstimate(rpoSeconds: nil, basis: "the drill has no id to read its recovery point with")
                if let drillId {
                    let context = CallContext(requestId: "evidence-" + operation.id)
                    do {
                        estimate = try await UpstreamRequestIDs.$current.withValue(requestIds) {
                            try await entry.provider.recoveryPoint(
                                ofDrill: drillId, protectionGroupId: report.protectionGroupId, drillStartedAt: report.requestedAt,
                                context: context)
                        }
                    } catch {
                        let problem = ProblemResponse.problem(for: error)
                        estimate = RecoveryPointEstimate(rpoSeconds: nil, basis: "the recovery point could not be read (\(problem.code))")
                    }
                }
                let rto = DrillVerdict.rtoSeconds(requestedAt: report.requestedAt, readyAt: now)
                let reading = estimate
                let updated = try await reports.updateReport(existing) { current in
                    current.report.drillId = drillId
                    current.report.readyAt = now
                    current.report.rtoSeconds = DrillVerdict.rtoSeconds(requestedAt: current.report.requestedAt, readyAt: now)
                    current.report.rpoSeconds = reading.rpoSeconds
                    current.report.rpoBasis = reading.basis
                    Self.merge(requestIds.all, into: &current.report.providerRequestIds)
                    let verdict = DrillVerdict.judge(
                        drillFailed: false, rtoSeconds: current.report.rtoSeconds, rpoSeconds: reading.rpoSeconds,
                        rtoTargetSeconds: current.report.rtoTargetSeconds, rpoTargetSeconds: current.report.rpoTargetSeconds)
                    current.report.findings += verdict.findings
                    if current.report.outcome == .pending { current.report.outcome = verdict.outcome }
                    if let expires = current.report.expiresAt, current.report.cleanupStatus == .scheduled {
                        current.nextCheckAt = max(expires, now)
                    }
                }
                metrics.observeRTO(updated?.report.rtoSeconds ?? rto, account: report.account, provider: report.provider)
                if let updated, updated.report.outcome != .failed {
                    metrics.noteSuccess(account: report.account, protectionGroup: report.protectionGroupId, at: now)
                }
            case .failed:
                let problem = operation.error
                _ = try await reports.updateReport(existing) { current in
                    current.report.drillId = current.report.drillId ?? operation.resource.id
                    let finding = "the drill create failed: \(problem?.code ?? "unknown")\(problem.map { " (\($0.detail))" } ?? "")"
                    if !current.report.findings.contains(finding) { current.report.findings.append(finding) }
                    if current.report.outcome == .pending { current.report.outcome = .failed }
                    if current.report.drillId == nil {
                        current.report.cleanupStatus = .notNeeded
                        current.nextCheckAt = nil
                    } else if let expires = current.report.expiresAt {
                        current.nextCheckAt = max(expires, now)
                    }
                }
            case .running:
                return
            }
        } catch {
            logger.warning("could not update a drill report", metadata: ["operation": .string(operation.id)])
        }
    }

    /// A report for a create whose report was never written (the gateway stopped between storing
    /// the operation and the report): rebuilt from the operation, noted as such.
    private func rebuild(_ operation: GatewayOperation, tenant: String, entry: AccountRegistry.Entry) async throws -> StoredReport? {
        var group = ""
        var name = ""
        if let drillId = operation.resource.id,
            let drill = try? await entry.provider.drill(id: drillId, context: CallContext(requestId: "evidence-" + operation.id))
        {
            group = drill.protectionGroupId
            name = drill.name
        }
        var report = DrillReport(
            id: operation.id, account: operation.account, provider: entry.provider.name, protectionGroupId: group, name: name,
            requestedAt: Timestamp.parseRFC3339(operation.createdAt) ?? Date())
        report.drillId = operation.resource.id
        report.findings.append("report rebuilt from the operation: the gateway stopped before it was written")
        _ = try await reports.insertReport(StoredReport(tenant: tenant, report: report))
        return try await reports.report(id: operation.id)
    }

    /// A delete ended: gone (verify later) or failed (the sweeper retries a cleanup).
    func deleteEnded(_ operation: GatewayOperation, at now: Date) async {
        guard let drillId = operation.resource.id,
            let existing = try? await reports.report(account: operation.account, drillId: drillId)
        else { return }
        let verifyAt = now.addingTimeInterval(settings.verifyAfterSeconds)
        let retryAt = now.addingTimeInterval(max(settings.sweepSeconds, 1) * 3)
        _ = try? await reports.updateReport(id: existing.report.id) { current in
            guard current.report.cleanupStatus != .verified else { return }
            if !current.report.operations.contains(operation.id) { current.report.operations.append(operation.id) }
            let gone = operation.status == .succeeded || operation.error?.hasCode(.notFound) == true
            if gone {
                // Deleted as far as the delete can tell; only a later read may call it verified.
                guard current.report.cleanupStatus != .deleted else { return }
                current.report.cleanedUpAt = now
                current.report.cleanupVerified = false
                current.report.cleanupStatus = .deleted
                current.nextCheckAt = verifyAt
            } else if operation.status == .failed {
                let code = operation.error?.code ?? "unknown"
                current.report.findings.append("delete \(operation.id) failed (\(code))")
                if current.report.expiresAt != nil || current.deleteAttempts > 0 {
                    current.report.cleanupStatus = current.deleteAttempts >= settings.maxDeleteAttempts ? .leftover : .deleting
                    current.nextCheckAt = retryAt
                } else {
                    current.report.cleanupStatus = .none
                    current.nextCheckAt = nil
                }
            }
        }
        // A leftover is counted by the sweeper's next refresh.
    }

    /// A person's verdict (`POST …/result`).
    func recordVerdict(reportId: String, outcome: DrillOutcome, notes: String?, at now: Date) async throws -> StoredReport? {
        let updated = try await reports.updateReport(id: reportId) { current in
            current.report.outcome = outcome
            if let notes { current.report.notes = notes }
            current.report.findings.append("outcome set to \(outcome.rawValue) by a person at \(Timestamp.rfc3339(now))")
        }
        await metrics.refresh(from: reports)
        return updated
    }
}
