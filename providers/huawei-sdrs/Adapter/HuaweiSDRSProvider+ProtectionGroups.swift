import DRGWCore
import Foundation

extension HuaweiSDRSProvider {
    public func listProtectionGroups(cursor: String?, limit: Int, context: CallContext) async throws -> Page<ProtectionGroup> {
        let offset = try offset(from: cursor)
        let size = max(1, min(limit, 1000))
        let response = try await call(
            "GET", "/server-groups", query: [("limit", String(size)), ("offset", String(offset))], write: false,
            context: context)
        let list = try decode(SDRSWire.ServerGroupList.self, from: response)
        let items = list.serverGroups.map(unified)
        let next = offset + items.count
        let more = !items.isEmpty && next < (list.count ?? next)
        return Page(items: items, nextCursor: more ? String(next) : nil)
    }

    public func protectionGroup(id: String, context: CallContext) async throws -> ProtectionGroup {
        try unified(await rawGroup(id: id, context: context))
    }

    func rawGroup(id: String, context: CallContext) async throws -> SDRSWire.ServerGroup {
        try check(id: id, field: "protectionGroupId")
        let response = try await call("GET", "/server-groups/\(id)", write: false, context: context)
        let group = try decode(SDRSWire.ServerGroupEnvelope.self, from: response).serverGroup
        if Self.drillableGroupStatuses.contains(group.status) {
            drillableGroups.store(true, for: id, now: clock().timeIntervalSince1970)
        } else {
            drillableGroups.remove(id)
        }
        return group
    }

    public func createProtectionGroupErrors(_ input: CreateProtectionGroupInput) -> [FieldError] {
        var errors = Validation.nameErrors(input.name, allowCJK: true) + Validation.descriptionErrors(input.description)
        func required(_ value: String?, _ field: String) {
            if value?.isEmpty ?? true { errors.append(FieldError(field: field, message: "is required")) }
        }
        required(input.sourceAvailabilityZone, "sourceAvailabilityZone")
        required(input.targetAvailabilityZone, "targetAvailabilityZone")
        required(input.sourceNetworkId, "sourceNetworkId")
        required(input.domainId, "domainId")
        if let type = input.drType, type != "migration" {
            errors.append(FieldError(field: "drType", message: "must be 'migration'"))
        }
        if let zone = input.sourceAvailabilityZone, zone == input.targetAvailabilityZone {
            errors.append(FieldError(field: "targetAvailabilityZone", message: "must differ from sourceAvailabilityZone"))
        }
        if let unknown = input.providerOptions?.keys.sorted().first {
            errors.append(FieldError(field: "providerOptions.\(unknown)", message: "is not an option of huawei-sdrs"))
        }
        errors += input.foreignFieldErrors(
            [("sourceRegionId", input.sourceRegionId), ("sourceZoneId", input.sourceZoneId), ("destinationRegionId", input.destinationRegionId),
             ("destinationZoneId", input.destinationZoneId), ("rpo", input.rpo)], provider: name)
        return errors
    }

    public func createProtectionGroup(_ input: CreateProtectionGroupInput, context: CallContext) async throws -> UpstreamJob {
        let errors = createProtectionGroupErrors(input)
        if !errors.isEmpty { throw Problem.invalid(errors) }
        let kind = "protectionGroup.create"
        if context.reconcile, let existing = try await findGroup(named: input.name, context: context) {
            return UpstreamJob(kind: kind, resource: ResourceReference(type: "protectionGroup", id: existing), token: ["adoptedId": existing])
        }
        let body = try encode(
            SDRSWire.CreateServerGroupBody(
                serverGroup: .init(
                    name: input.name, description: input.description,
                    sourceAvailabilityZone: input.sourceAvailabilityZone!, targetAvailabilityZone: input.targetAvailabilityZone!,
                    domainId: input.domainId!, sourceVpcId: input.sourceNetworkId!, drType: input.drType ?? "migration")))
        let response = try await call("POST", "/server-groups", body: body, write: true, context: context)
        return UpstreamJob(
            kind: kind, resource: ResourceReference(type: "protectionGroup", id: nil), token: ["jobId": try jobId(from: response)])
    }

    /// The id of a group whose name is exactly `name` (the upstream filter is fuzzy).
    func findGroup(named name: String, context: CallContext) async throws -> String? {
        let response = try await call("GET", "/server-groups", query: [("name", name)], write: false, context: context)
        return try decode(SDRSWire.ServerGroupList.self, from: response).serverGroups
            .first { $0.name == name && !["deleting", "error-deleting"].contains($0.status) }?.id
    }

    public func deleteProtectionGroup(id: String, context: CallContext) async throws -> UpstreamJob {
        try check(id: id, field: "protectionGroupId")
        defer { drillableGroups.remove(id) }  // after the write, which changes the status
        let response = try await call("DELETE", "/server-groups/\(id)", write: true, context: context)
        return UpstreamJob(
            kind: "protectionGroup.delete", resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["jobId": try jobId(from: response)])
    }

    public func perform(
        _ action: ProtectionGroupAction, onProtectionGroup id: String, input: ActionInput, context: CallContext
    ) async throws -> UpstreamJob {
        try check(id: id, field: "protectionGroupId")
        if action == .switchover, !["target", "source"].contains(input.priorityStation ?? "") {
            throw Problem.invalid([FieldError(field: "priorityStation", message: "must be 'target' or 'source'")])
        }
        defer { drillableGroups.remove(id) }  // after the write, which changes the status
        if context.reconcile, let job = try await adoptedAction(action, on: id, input: input, context: context) {
            return job
        }
        let body: String
        switch action {
        case .start: body = #"{"start-server-group": {}}"#
        case .stop: body = #"{"stop-server-group": {}}"#
        case .failover: body = #"{"failover-server-group": {}}"#
        case .switchover:
            guard let station = input.priorityStation, ["target", "source"].contains(station) else {
                throw Problem.invalid([FieldError(field: "priorityStation", message: "must be 'target' or 'source'")])
            }
            body = #"{"reverse-server-group": {"priority_station": "\#(station)"}}"#
        case .reprotect:
            // SDRS re-protects with the start body; it only means "reprotect" after a failover.
            let group = try await rawGroup(id: id, context: context)
            guard ["failed-over", "error-reprotecting"].contains(group.status) else {
                throw Problem(
                    .conflict, detail: "Reprotect needs the protection group to be failed over; it is \(group.status).",
                    provider: name)
            }
            body = #"{"start-server-group": {}}"#
        }
        let response = try await call("POST", "/server-groups/\(id)/action", body: Array(body.utf8), write: true, context: context)
        return UpstreamJob(
            kind: action.operationKind, resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["jobId": try jobId(from: response)])
    }

    /// The status an action moves a group through and ends in.
    static func statuses(of action: ProtectionGroupAction) -> (running: String, done: String) {
        switch action {
        case .start: return ("starting", "protected")
        case .stop: return ("stopping", "available")
        case .failover: return ("failing-over", "failed-over")
        case .switchover: return ("reversing", "protected")
        case .reprotect: return ("reprotecting", "protected")
        }
    }

    /// On a replay whose first attempt's outcome is unknown: when the group is already moving
    /// to (or in) the action's end state, follow it instead of acting twice (SDRS has no client token).
    func adoptedAction(
        _ action: ProtectionGroupAction, on id: String, input: ActionInput, context: CallContext
    ) async throws -> UpstreamJob? {
        let group = try await rawGroup(id: id, context: context)
        let (running, done) = Self.statuses(of: action)
        let stationMatches = action != .switchover || group.priorityStation == input.priorityStation
        guard group.status == running || (group.status == done && stationMatches) else { return nil }
        return UpstreamJob(
            kind: action.operationKind, resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["awaitGroupStatus": done, "groupId": id])
    }

    func unified(_ g: SDRSWire.ServerGroup) -> ProtectionGroup {
        ProtectionGroup(
            id: g.id, account: account.id, provider: name, kind: .group, name: g.name,
            status: tables.statuses.groupStatus(g.status), providerStatus: g.status, description: g.description,
            sourceAvailabilityZone: g.sourceAvailabilityZone, targetAvailabilityZone: g.targetAvailabilityZone,
            priorityStation: g.priorityStation, memberCount: g.protectedInstanceNum, createdAt: g.createdAt,
            updatedAt: g.updatedAt)
    }
}
