import DRGWCore
import Foundation

extension HuaweiSDRSProvider {
    /// Group statuses from which SDRS accepts a drill.
    static let drillableGroupStatuses: Set<String> = [
        "available", "protected", "failed-over", "error-starting", "error-stopping", "error-reversing",
        "error-reprotecting", "error-failing-over",
    ]

    public func listDrills(protectionGroupId: String?, cursor: String?, limit: Int, context: CallContext) async throws -> Page<Drill> {
        let offset = try offset(from: cursor)
        var query: [(name: String, value: String)] = [("limit", String(max(1, min(limit, 1000)))), ("offset", String(offset))]
        if let group = protectionGroupId {
            try check(id: group, field: "protectionGroupId")
            query.append(("server_group_id", group))
        }
        let response = try await call("GET", "/disaster-recovery-drills", query: query, write: false, context: context)
        let list = try decode(SDRSWire.DrillList.self, from: response)
        let items = list.disasterRecoveryDrills.map(unified)
        let next = offset + items.count
        let more = !items.isEmpty && next < (list.count ?? next)
        return Page(items: items, nextCursor: more ? String(next) : nil)
    }

    public func drill(id: String, context: CallContext) async throws -> Drill {
        try check(id: id, field: "drillId")
        let response = try await call("GET", "/disaster-recovery-drills/\(id)", write: false, context: context)
        return unified(try decode(SDRSWire.DrillEnvelope.self, from: response).disasterRecoveryDrill)
    }

    public func createDrill(_ input: CreateDrillInput, context: CallContext) async throws -> UpstreamJob {
        var errors = Validation.nameErrors(input.name, allowCJK: true)
        errors += Validation.idErrors(input.protectionGroupId, field: "protectionGroupId")
        if let network = input.drillNetworkId { errors += Validation.idErrors(network, field: "drillNetworkId") }
        if !errors.isEmpty { throw Problem.invalid(errors) }
        switch drillableGroups.lookup(input.protectionGroupId, now: clock().timeIntervalSince1970) {
        case .fresh: break
        case .refresh:
            // Re-read in the background (rawGroup updates the entry) while this create goes on.
            let refresh = CallContext(requestId: context.requestId + "-group-check")
            context.runLater { [self] in _ = try? await rawGroup(id: input.protectionGroupId, context: refresh) }
        case .miss:
            let group = try await rawGroup(id: input.protectionGroupId, context: context)
            guard Self.drillableGroupStatuses.contains(group.status) else {
                throw Problem(
                    .conflict, detail: "A drill cannot be created while the protection group is \(group.status).",
                    provider: name, providerMessage: nil)
            }
        }
        let kind = "drill.create"
        if context.reconcile,
            let existing = try await findDrill(named: input.name, group: input.protectionGroupId, context: context)
        {
            return UpstreamJob(kind: kind, resource: ResourceReference(type: "drill", id: existing), token: ["adoptedId": existing])
        }
        let body = try encode(
            SDRSWire.CreateDrillBody(
                disasterRecoveryDrill: .init(
                    serverGroupId: input.protectionGroupId, name: input.name, drillVpcId: input.drillNetworkId)))
        let response: UpstreamResponse
        do {
            response = try await call("POST", "/disaster-recovery-drills", body: body, write: true, context: context)
        } catch let problem as Problem where problem.hasCode(.conflict) {
            drillableGroups.remove(input.protectionGroupId)  // the group changed since it was read
            throw problem
        }
        return UpstreamJob(kind: kind, resource: ResourceReference(type: "drill", id: nil), token: ["jobId": try jobId(from: response)])
    }

    /// The id of a drill of `group` whose name is exactly `name`.
    func findDrill(named name: String, group: String, context: CallContext) async throws -> String? {
        let response = try await call(
            "GET", "/disaster-recovery-drills", query: [("server_group_id", group), ("name", name)], write: false,
            context: context)
        return try decode(SDRSWire.DrillList.self, from: response).disasterRecoveryDrills
            .first { $0.name == name && $0.serverGroupId == group && !["deleting", "error-deleting"].contains($0.status) }?.id
    }

    public func deleteDrill(id: String, context: CallContext) async throws -> UpstreamJob {
        try check(id: id, field: "drillId")
        let response = try await call("DELETE", "/disaster-recovery-drills/\(id)", write: true, context: context)
        return UpstreamJob(kind: "drill.delete", resource: ResourceReference(type: "drill", id: id), token: ["jobId": try jobId(from: response)])
    }

    func unified(_ d: SDRSWire.DisasterRecoveryDrill) -> Drill {
        Drill(
            id: d.id, account: account.id, provider: name, name: d.name, protectionGroupId: d.serverGroupId ?? "",
            drillNetworkId: d.drillVpcId, status: tables.statuses.drillStatus(d.status), providerStatus: d.status,
            createdAt: d.createdAt.map(SDRSJSON.rfc3339(fromDrillTime:)) ?? "")
    }
}
