import AlibabaEBS
import DRGWCore
import Foundation

extension AlibabaSimulatorWorld {
    /// Actions that accept a `ClientToken` (notes §1).
    static let clientTokenActions: Set<String> = [
        "CreateDiskReplicaPair", "StartDiskReplicaPair", "StopDiskReplicaPair", "FailoverDiskReplicaPair",
        "ReprotectDiskReplicaPair", "DeleteDiskReplicaPair", "ModifyDiskReplicaPair", "CreateDiskReplicaGroup",
        "AddDiskReplicaPair", "RemoveDiskReplicaPair", "StartDiskReplicaGroup", "StopDiskReplicaGroup",
        "FailoverDiskReplicaGroup", "ReprotectDiskReplicaGroup", "DeleteDiskReplicaGroup", "ModifyDiskReplicaGroup",
        "StartPairDrill", "StartReplicaGroupDrill",
    ]

    static func error(_ status: Int, _ code: String, _ message: String) -> SimReply {
        SimReply(status: status, body: ["Code": .string(code), "Message": .string(message)])
    }

    static func ok(_ fields: [String: SimJSON] = [:]) -> SimReply {
        SimReply(status: 200, body: fields)
    }

    static let notFound = error(403, "NoSuchResource", "The specified resource does not exist.")
    static let invalidStatus = error(403, "OperationDenied.InvalidStatus", "The operation is not allowed in current status.")

    /// Runs one action against the world (signature, faults and ClientToken are handled before).
    mutating func perform(action: String, _ p: [String: String], now: Date) -> SimReply {
        advance(now: now)
        guard let region = p["RegionId"], !region.isEmpty else {
            if action == "DescribeRegions" { return describeRegions() }
            return Self.error(400, "MissingRegionId", "RegionId is mandatory for this action.")
        }
        do {
            return try perform(action: action, p, region: region, now: now)
        } catch {
            return error
        }
    }

    private mutating func perform(action: String, _ p: [String: String], region: String, now: Date) throws(SimReply) -> SimReply {
        switch action {
        case "DescribeRegions": return describeRegions()
        case "DescribeDiskReplicaPairs": return describeReplicas(.pair, p, region: region)
        case "DescribeDiskReplicaGroups": return describeReplicas(.group, p, region: region)
        case "CreateDiskReplicaGroup": return createGroup(p, region: region, now: now)
        case "CreateDiskReplicaPair": return createPair(p, region: region, now: now)
        case "StartDiskReplicaPair", "StartDiskReplicaGroup":
            return try start(id: replicaId(action, p), kind: kind(action), oneShot: p["OneShot"]?.lowercased() == "true", region: region, now: now)
        case "StopDiskReplicaPair", "StopDiskReplicaGroup":
            return try stop(id: replicaId(action, p), kind: kind(action), region: region, now: now)
        case "FailoverDiskReplicaPair", "FailoverDiskReplicaGroup":
            return try failover(id: replicaId(action, p), kind: kind(action), region: region, now: now)
        case "ReprotectDiskReplicaPair", "ReprotectDiskReplicaGroup":
            return try reprotect(id: replicaId(action, p), kind: kind(action), reverse: p["ReverseReplicate"]?.lowercased() != "false", region: region, now: now)
        case "DeleteDiskReplicaPair", "DeleteDiskReplicaGroup":
            return try delete(id: replicaId(action, p), kind: kind(action), region: region, now: now)
        case "StartPairDrill": return try startDrill(.pair, ownerId: p["PairId"], region: region, now: now)
        case "StartReplicaGroupDrill": return try startDrill(.group, ownerId: p["GroupId"], region: region, now: now)
        case "DescribePairDrills": return try describeDrills(.pair, ownerId: p["PairId"], p, region: region)
        case "DescribeReplicaGroupDrills": return try describeDrills(.group, ownerId: p["GroupId"], p, region: region)
        case "ClearPairDrill": return try clearDrill(.pair, ownerId: p["PairId"], drillId: p["DrillId"], region: region, now: now)
        case "ClearReplicaGroupDrill": return try clearDrill(.group, ownerId: p["GroupId"], drillId: p["DrillId"], region: region, now: now)
        default:
            return Self.error(404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")
        }
    }

    private func kind(_ action: String) -> SimReplica.Kind { action.hasSuffix("Group") ? .group : .pair }

    private func replicaId(_ action: String, _ p: [String: String]) -> String? {
        action.hasSuffix("Group") ? p["ReplicaGroupId"] : p["ReplicaPairId"]
    }

    /// The replica, when it exists, has the right kind and is visible from `region`.
    /// The replica `id` of `kind` seen from `region`; the reply to answer with when there is none.
    private func lookup(_ id: String?, _ kind: SimReplica.Kind, region: String) throws(SimReply) -> SimReplica {
        guard let id, !id.isEmpty else {
            throw Self.error(400, kind == .pair ? "MissingReplicaPairId" : "MissingReplicaGroupId", "The input parameter is mandatory.")
        }
        guard let replica = replicas[id], replica.kind == kind,
            replica.sourceRegion == region || replica.destinationRegion == region
        else { throw Self.notFound }
        return replica
    }

    private func describeRegions() -> SimReply {
        let regions = Set(replicas.values.flatMap { [$0.sourceRegion, $0.destinationRegion] }).sorted()
        return Self.ok(["Regions": .array(regions.map {
            .object(["RegionId": .string($0), "LocalName": .string($0), "RegionEndpoint": .string("ebs.\($0).aliyuncs.com"), "Zones": .array([])])
        })])
    }

    /// Pages with `NextToken` (an offset) and `MaxResults`, or `PageNumber`/`PageSize`.
    private func page<T>(_ items: [T], _ p: [String: String]) -> (items: [T], fields: [String: SimJSON]) {
        if let size = p["PageSize"].flatMap(Int.init), p["NextToken"] == nil {
            let number = max(1, p["PageNumber"].flatMap(Int.init) ?? 1)
            let slice = Array(items.dropFirst((number - 1) * size).prefix(size))
            return (slice, ["PageNumber": .int(number), "PageSize": .int(size), "TotalCount": .int(items.count)])
        }
        let limit = min(500, max(1, p["MaxResults"].flatMap(Int.init) ?? 10))
        let offset = p["NextToken"].flatMap(Int.init) ?? 0
        let slice = Array(items.dropFirst(offset).prefix(limit))
        let next = offset + slice.count < items.count ? String(offset + slice.count) : ""
        return (slice, ["NextToken": .string(next), "TotalCount": .int(items.count)])
    }

    private func describeReplicas(_ kind: SimReplica.Kind, _ p: [String: String], region: String) -> SimReply {
        var items = order.compactMap { replicas[$0] }.filter {
            $0.kind == kind && ($0.sourceRegion == region || $0.destinationRegion == region)
        }
        let idsParam = kind == .pair ? p["PairIds"] : p["GroupIds"]
        if let idsParam, !idsParam.isEmpty {
            let wanted = Set(idsParam.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            items = items.filter { wanted.contains($0.id) }
        }
        if kind == .pair, let group = p["ReplicaGroupId"], !group.isEmpty { items = items.filter { $0.groupId == group } }
        if let name = p["Name"], !name.isEmpty { items = items.filter { $0.name.contains(name) } }
        let (slice, fields) = page(items, p)
        var body = fields
        body[kind == .pair ? "ReplicaPairs" : "ReplicaGroups"] = .array(slice.map { render($0) })
        return Self.ok(body)
    }

    func render(_ r: SimReplica) -> SimJSON {
        var o: [String: SimJSON] = [
            "Status": .string(r.status), "Description": .string(r.description), "RPO": .int(r.rpo),
            "PrimaryRegion": .string(r.primaryRegion), "PrimaryZone": .string(r.primaryZone),
            "StandbyRegion": .string(r.standbyRegion), "StandbyZone": .string(r.standbyZone),
            "Site": .string("production"), "Bandwidth": .int(0), "EnableRtc": .bool(false), "Tags": .array([]),
            "ResourceGroupId": .string(""), "LastRecoverPoint": r.lastRecoverPoint.map { .int($0) } ?? .int(0),
        ]
        switch r.kind {
        case .pair:
            o["ReplicaPairId"] = .string(r.id)
            o["PairName"] = .string(r.name)
            o["SourceRegion"] = .string(r.sourceRegion)
            o["SourceZoneId"] = .string(r.sourceZone)
            o["DestinationRegion"] = .string(r.destinationRegion)
            o["DestinationZoneId"] = .string(r.destinationZone)
            o["SourceDiskId"] = .string(r.sourceDiskId)
            o["DestinationDiskId"] = .string(r.destinationDiskId)
            o["ReplicaGroupId"] = .string(r.groupId ?? "")
            o["ReplicaGroupName"] = .string(r.groupId.flatMap { replicas[$0]?.name } ?? "")
            o["ChargeType"] = .string("POSTPAY")
            o["CreateTime"] = .int(r.createTime)
            o["ExpiredTime"] = .int(0)
            o["StatusMessage"] = .string("")
        case .group:
            o["ReplicaGroupId"] = .string(r.id)
            o["GroupName"] = .string(r.name)
            o["SourceRegionId"] = .string(r.sourceRegion)
            o["SourceZoneId"] = .string(r.sourceZone)
            o["DestinationRegionId"] = .string(r.destinationRegion)
            o["DestinationZoneId"] = .string(r.destinationZone)
            o["PairNumber"] = .int(r.pairIds.count)
            o["PairIds"] = .array(r.pairIds.map { .object(["ReplicaPairId": .string($0)]) })
        }
        return .object(o)
    }

    private mutating func createGroup(_ p: [String: String], region: String, now: Date) -> SimReply {
        for name in ["DestinationRegionId", "DestinationZoneId", "SourceZoneId"] where (p[name] ?? "").isEmpty {
            return Self.error(400, "Missing\(name)", "The input parameter \(name) that is mandatory for processing this request is not supplied.")
        }
        if let rpo = p["RPO"], rpo != "900" { return Self.error(400, "InvalidParameter", "The parameter RPO is invalid.") }
        let id = newId("pg-")
        let group = SimReplica(
            kind: .group, id: id, name: p["GroupName"] ?? "", description: p["Description"] ?? "", status: "creating",
            sourceRegion: region, sourceZone: p["SourceZoneId"]!, destinationRegion: p["DestinationRegionId"]!,
            destinationZone: p["DestinationZoneId"]!, primaryRegion: region, primaryZone: p["SourceZoneId"]!,
            standbyRegion: p["DestinationRegionId"]!, standbyZone: p["DestinationZoneId"]!, createTime: Int(now.timeIntervalSince1970),
            pendingStatus: "created", pendingAt: now.addingTimeInterval(jobSeconds))
        insert(group)
        return Self.ok(["ReplicaGroupId": .string(id)])
    }

    private mutating func createPair(_ p: [String: String], region: String, now: Date) -> SimReply {
        for name in ["DiskId", "DestinationDiskId", "DestinationRegionId", "DestinationZoneId", "SourceZoneId"] where (p[name] ?? "").isEmpty {
            return Self.error(400, "Missing\(name)", "The input parameter \(name) that is mandatory for processing this request is not supplied.")
        }
        let id = newId("pair-cn-")
        let pair = SimReplica(
            kind: .pair, id: id, name: p["PairName"] ?? "", description: p["Description"] ?? "", status: "creating",
            sourceRegion: region, sourceZone: p["SourceZoneId"]!, destinationRegion: p["DestinationRegionId"]!,
            destinationZone: p["DestinationZoneId"]!, primaryRegion: region, primaryZone: p["SourceZoneId"]!,
            standbyRegion: p["DestinationRegionId"]!, standbyZone: p["DestinationZoneId"]!, sourceDiskId: p["DiskId"]!,
            destinationDiskId: p["DestinationDiskId"]!, createTime: Int(now.timeIntervalSince1970),
            pendingStatus: "created", pendingAt: now.addingTimeInterval(jobSeconds))
        insert(pair)
        return Self.ok(["ReplicaPairId": .string(id), "OrderId": .string(String(idCounter))])
    }

    private mutating func start(id: String?, kind: SimReplica.Kind, oneShot: Bool, region: String, now: Date) throws(SimReply) -> SimReply {
        let replica = try lookup(id, kind, region: region)
        if kind == .group && replica.pairIds.isEmpty {
            return Self.error(403, "OperationDenied.NoPairInGroup", "The operation is not allowed because no pair in the group.")
        }
        let allowed: Set<String> =
            oneShot ? ["created", "manual_syncing", "stopped"]
            : (kind == .group ? ["created", "syncing", "normal", "stopped"] : ["created", "stopped"])
        guard allowed.contains(replica.status) else { return Self.invalidStatus }
        if oneShot {
            transition(replica.id, now: "manual_syncing", then: "stopped", at: now)
        } else {
            transition(replica.id, now: "initial_syncing", then: "normal", at: now)
        }
        return Self.ok()
    }

    private mutating func stop(id: String?, kind: SimReplica.Kind, region: String, now: Date) throws(SimReply) -> SimReply {
        let replica = try lookup(id, kind, region: region)
        let allowed: Set<String> =
            kind == .group
            ? ["manual_syncing", "syncing", "normal", "stopping", "stop_failed", "stopped", "initial_syncing"]
            : ["initial_syncing", "syncing", "manual_syncing", "normal"]
        guard allowed.contains(replica.status) else { return Self.invalidStatus }
        transition(replica.id, now: "stopping", then: "stopped", at: now)
        return Self.ok()
    }

    private mutating func failover(id: String?, kind: SimReplica.Kind, region: String, now: Date) throws(SimReply) -> SimReply {
        let replica = try lookup(id, kind, region: region)
        guard region == replica.destinationRegion else {
            return Self.error(403, "OperationDenied.OperateNotAllowedForPrimary", "Operation is not allowed on the primary site.")
        }
        if kind == .group && replica.pairIds.isEmpty {
            return Self.error(403, "OperationDenied.NoPairInGroup", "The operation is not allowed because no pair in the group.")
        }
        let allowed: Set<String> =
            kind == .group
            ? ["manual_syncing", "syncing", "normal", "stopping", "stop_failed", "stopped", "failovering", "failover_failed", "failovered", "initial_syncing"]
            : ["initial_syncing", "manual_syncing", "syncing", "normal", "stopping", "stopped", "stop_failed", "failover_failed", "failovered"]
        guard allowed.contains(replica.status) else { return Self.invalidStatus }
        transition(replica.id, now: "failovering", then: "failovered", at: now)
        return Self.ok()
    }

    private mutating func reprotect(id: String?, kind: SimReplica.Kind, reverse: Bool, region: String, now: Date) throws(SimReply) -> SimReply {
        let replica = try lookup(id, kind, region: region)
        guard region == replica.destinationRegion else {
            return Self.error(403, "OperationDenied.OperateNotAllowedForPrimary", "Operation is not allowed on the primary site.")
        }
        guard replica.status == "failovered" else { return Self.invalidStatus }
        let members = kind == .group ? replica.pairIds : []
        if reverse {
            // Reverse replication: the former secondary becomes the source.
            for target in [replica.id] + members {
                guard var r = replicas[target] else { continue }
                swap(&r.sourceRegion, &r.destinationRegion)
                swap(&r.sourceZone, &r.destinationZone)
                swap(&r.sourceDiskId, &r.destinationDiskId)
                replicas[target] = r
            }
        }
        transition(replica.id, now: "reprotecting", then: "stopped", at: now)
        return Self.ok()
    }

    private mutating func delete(id: String?, kind: SimReplica.Kind, region: String, now: Date) throws(SimReply) -> SimReply {
        let replica = try lookup(id, kind, region: region)
        if kind == .pair {
            guard region == replica.sourceRegion else {
                return Self.error(403, "OperationDenied.OperateNotAllowedForStandby", "Operation is not allowed on the secondary site.")
            }
            guard ["stopped", "invalid", "failovered"].contains(replica.status) else { return Self.invalidStatus }
        } else {
            guard ["created", "create_failed", "stopped", "failovered", "deleting", "delete_failed", "invalid"].contains(replica.status)
            else { return Self.invalidStatus }
            guard replica.pairIds.isEmpty else {
                return Self.error(403, "OperationDenied.GroupHasPair", "The group cannot be deleted due to not empty.")
            }
        }
        replicas[replica.id]?.status = "deleting"
        replicas[replica.id]?.pendingStatus = "deleted"
        replicas[replica.id]?.pendingAt = now.addingTimeInterval(jobSeconds)
        return Self.ok()
    }

    /// Drill rule of the simulator: the owner needs a completed recovery point (else
    /// `OperationDenied.RecoverPointNotFound`, e.g. a pair that never synced), must not be
    /// moving between sites, and may have one unfinished drill at a time.
    private mutating func startDrill(_ kind: SimReplica.Kind, ownerId: String?, region: String, now: Date) throws(SimReply) -> SimReply {
        guard let ownerId, !ownerId.isEmpty else {
            return Self.error(400, "MissingParameter", "The input parameter \(kind == .pair ? "PairId" : "GroupId") that is mandatory for processing this request is not supplied.")
        }
        let replica = try lookup(ownerId, kind, region: region)
        guard region == replica.destinationRegion else {
            return Self.error(403, "OperationDenied.StartDrillShouldOnDestRegion", "Operation should be executed on the secondary region.")
        }
        guard let recoverPoint = replica.lastRecoverPoint else {
            return Self.error(403, "OperationDenied.RecoverPointNotFound", "Recover point is not found.")
        }
        let drillable: Set<String> = ["normal", "syncing", "initial_syncing", "manual_syncing", "stopped", "stop_failed", "failover_failed", "failovered"]
        guard drillable.contains(replica.status) else {
            return Self.error(403, "OperationDenied", "The operation is not allowed.")
        }
        if drills.values.contains(where: { $0.ownerId == ownerId && ($0.status == "executing" || $0.status == "clearing") }) {
            return Self.error(403, "OperationDenied", "The operation is not allowed.")
        }
        let id = newId("drill-")
        let members = kind == .group ? replica.pairIds : [replica.id]
        let drill = SimDrill(
            id: id, ownerKind: kind, ownerId: ownerId, status: "executing", startAt: Int(now.timeIntervalSince1970),
            recoverPoint: recoverPoint, disks: members.map { ($0, newId("d-drill")) }, pendingStatus: "executed",
            pendingAt: now.addingTimeInterval(drillSeconds))
        drills[id] = drill
        drillOrder.append(id)
        return Self.ok(["DrillId": .string(id)])
    }

    private func describeDrills(_ kind: SimReplica.Kind, ownerId: String?, _ p: [String: String], region: String) throws(SimReply) -> SimReply {
        guard let ownerId, !ownerId.isEmpty else {
            return Self.error(400, "MissingParameter", "The input parameter \(kind == .pair ? "PairId" : "GroupId") that is mandatory for processing this request is not supplied.")
        }
        _ = try lookup(ownerId, kind, region: region)
        var items = drillOrder.compactMap { drills[$0] }.filter {
            $0.ownerKind == kind && $0.ownerId == ownerId && ($0.hiddenUntil.map { $0 <= Date() } ?? true)
        }
        if let drillId = p["DrillId"], !drillId.isEmpty { items = items.filter { $0.id == drillId } }
        let (slice, fields) = page(items, p)
        var body = fields
        body["Drills"] = .array(slice.map { d in
            var o: [String: SimJSON] = [
                "DrillId": .string(d.id), "Status": .string(d.status), "StartAt": .int(d.startAt),
                "RecoverPoint": .int(d.recoverPoint), "StatusMessage": .string(""),
            ]
            if kind == .pair {
                o["DrillDiskId"] = .string(d.disks.first?.diskId ?? "")
                o["DrillDiskStatus"] = .string(d.diskStatus)
            } else {
                o["GroupId"] = .string(d.ownerId)
                o["PairsInfo"] = .array(d.disks.map {
                    .object(["PairId": .string($0.pairId), "DrillDiskId": .string($0.diskId), "DrillDiskStatus": .string(d.diskStatus)])
                })
            }
            return .object(o)
        })
        return Self.ok(body)
    }

    private mutating func clearDrill(_ kind: SimReplica.Kind, ownerId: String?, drillId: String?, region: String, now: Date) throws(SimReply) -> SimReply {
        guard let ownerId, !ownerId.isEmpty, let drillId, !drillId.isEmpty else {
            return Self.error(400, "MissingParameter", "The input parameter that is mandatory for processing this request is not supplied.")
        }
        _ = try lookup(ownerId, kind, region: region)
        guard var drill = drills[drillId], drill.ownerId == ownerId, drill.ownerKind == kind else { return Self.notFound }
        if drill.status == "clearing" { return Self.ok() }
        guard drill.status != "executing" else { return Self.error(403, "OperationDenied", "The operation is not allowed.") }
        drill.status = "clearing"
        drill.pendingStatus = "cleared"
        drill.pendingAt = now.addingTimeInterval(jobSeconds)
        drill.removeWhenDone = true
        drills[drillId] = drill
        return Self.ok()
    }
}
