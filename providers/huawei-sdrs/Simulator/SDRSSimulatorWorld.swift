import HuaweiSDRS
import DRGWCore
import Foundation

/// The simulated SDRS project: groups, drills and jobs with the real state rules.
/// A value type; the simulator keeps it behind a lock. Time is always passed in.
struct SDRSSimulatorWorld: Sendable {
    /// Group statuses from which a drill may be created (as SDRS allows).
    static let drillableGroupStatuses: Set<String> = [
        "available", "protected", "failed-over", "error-starting", "error-stopping", "error-reversing",
        "error-reprotecting", "error-failing-over",
    ]

    enum Effect: Sendable {
        case groupStatus(id: String, status: String, priorityStation: String?)
        case deleteGroup(id: String)
        case drillStatus(id: String, status: String)
        case deleteDrill(id: String)
    }

    struct Job: Sendable {
        var id: String
        var type: String
        var begin: Date
        /// Seconds from begin to end.
        var duration: Double
        var entities: [String: String]
        var effect: Effect
        var applied = false
    }

    struct Group: Sendable {
        var wire: SDRSWire.ServerGroup
        var createdOrder: Int
        var protectedInstances: [String]
    }

    let projectId: String
    let domain: SDRSWire.Domain
    let jobSeconds: Double
    /// Seconds a drill create takes (its job's length).
    var drillSeconds: Double
    /// Deletes of drills report success but leave the drill `available` (fault mode).
    var phantomDeletes = false
    /// Every job ends `FAIL` and changes nothing (fault mode).
    var failJobs = false
    /// Replication pairs by id (the seeded group holds one, synchronous and in sync).
    private(set) var replications: [String: SDRSWire.Replication] = [:]
    /// RPO exceedance records, as `resource/rpo-statistics` lists them.
    var rpoStatistics: [SDRSWire.RPOStatistic] = []
    private(set) var groups: [String: Group] = [:]
    private(set) var drills: [String: SDRSWire.DisasterRecoveryDrill] = [:]
    private(set) var jobs: [String: Job] = [:]
    /// Ids of jobs not yet applied, in order of their end (most jobs last `jobSeconds`, so this is
    /// mostly start order; a drill of another length is put in its place).
    private var pending: [String] = []
    private var pendingHead = 0
    /// Drills per protection group id.
    private var drillCounts: [String: Int] = [:]
    private var counter = 0
    private var generator: SeededGenerator

    /// The seeded protection group id.
    let seedGroupId = "40df180b-9fe2-471a-8c64-1b758dc84189"

    init(projectId: String, region: String, jobSeconds: Double, seed: UInt64, now: Date) {
        self.projectId = projectId
        self.jobSeconds = max(0, jobSeconds)
        self.drillSeconds = max(0, jobSeconds)
        self.generator = SeededGenerator(seed: seed)
        self.domain = SDRSWire.Domain(
            id: "fb4bb8e3-a574-4437-a156-78c916aeea4d", name: "SDRS_HypeMetroDomain",
            description: "active-active domain", soldOut: false,
            localReplicationCluster: .init(availabilityZone: "\(region)a"),
            remoteReplicationCluster: .init(availabilityZone: "\(region)b"))
        let stamp = Timestamp.rfc3339(now)
        let seeded = SDRSWire.ServerGroup(
            id: seedGroupId, name: "seed-protection-group", description: "seeded by drgw simulate",
            status: "protected", progress: 100, sourceAvailabilityZone: "\(region)a",
            targetAvailabilityZone: "\(region)b", domainId: domain.id, domainName: domain.name,
            priorityStation: "source", protectedInstanceNum: 1, replicationNum: 1, disasterRecoveryDrillNum: 0,
            protectedStatus: "started", replicationStatus: "active", healthStatus: "normal",
            sourceVpcId: "046852ef-c49d-409b-8389-546aaaa5701f", targetVpcId: "046852ef-c49d-409b-8389-546aaaa5701f",
            testVpcId: nil, drType: "migration", createdAt: stamp, updatedAt: stamp, protectionType: "replication-pair",
            replicationModel: nil, serverType: "ECS")
        groups[seedGroupId] = Group(
            wire: seeded, createdOrder: 0, protectedInstances: ["a9e8b42a-4bd7-4d4f-a4b1-7a2c3e0a5f11"])
        let pairId = "6b1d7a9e-3c42-4f0b-9d8e-52a1c0f3e7aa"
        replications[pairId] = SDRSWire.Replication(
            id: pairId, name: "seed-replication", status: "protected", serverGroupId: seedGroupId, replicationModel: "hypermetro",
            replicationStatus: "active", progress: 100, faultLevel: "0")
    }

    /// Sets the `replication_status` of every pair of a group (test hook).
    mutating func setReplicationStatus(_ status: String, group: String) {
        for (id, pair) in replications where pair.serverGroupId == group { replications[id]?.replicationStatus = status }
    }

    func listReplications(query: [String: String]) throws(SDRSFault) -> (items: [SDRSWire.Replication], count: Int) {
        let (limit, offset) = try Self.paging(query)
        var all = replications.values.sorted { $0.id < $1.id }
        if let group = query["server_group_id"], !group.isEmpty { all = all.filter { $0.serverGroupId == group } }
        return (Array(all.dropFirst(offset).prefix(limit)), all.count)
    }

    /// Exceedance records whose point lies in `[start_time, end_time]` (`yyyy-MM-dd HH:mm:ss.SSS`; the point has minutes).
    func listRPOStatistics(query: [String: String]) throws(SDRSFault) -> (items: [SDRSWire.RPOStatistic], count: Int) {
        let (limit, offset) = try Self.paging(query)
        if let type = query["resource_type"], !type.isEmpty, type != "replication" {
            throw .badRequest("SDRS.0201", "The request parameters are invalid.")
        }
        let start = query["start_time"].map { String($0.prefix(16)) } ?? ""
        let end = query["end_time"].map { String($0.prefix(16)) } ?? "9999"
        let all = rpoStatistics.filter { $0.pointTime >= start && $0.pointTime <= end }
        return (Array(all.dropFirst(offset).prefix(limit)), all.count)
    }

    /// A fresh uuid-like id from the seeded generator (repeatable runs).
    mutating func newUUID() -> String {
        let a = generator.next(), b = generator.next()
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-"
            + String(c[20..<32])
    }

    mutating func newJobId() -> String {
        String(format: "%016llx%016llx", generator.next(), generator.next())
    }

    // MARK: Jobs

    func jobStatus(_ job: Job, now: Date) -> String {
        let elapsed = now.timeIntervalSince(job.begin)
        if elapsed >= job.duration { return failJobs ? "FAIL" : "SUCCESS" }
        if elapsed < min(0.2, job.duration / 4) { return "INIT" }
        return "RUNNING"
    }

    /// Ends every job whose time has come and applies its effect (once).
    mutating func advance(now: Date) {
        while pendingHead < pending.count, let job = jobs[pending[pendingHead]], now.timeIntervalSince(job.begin) >= job.duration {
            pendingHead += 1
            jobs[job.id]!.applied = true
            if !failJobs { apply(job.effect, now: now) }
        }
        if pendingHead > 1024, pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
    }

    private mutating func apply(_ effect: Effect, now: Date) {
        let stamp = Timestamp.rfc3339(now)
        switch effect {
        case .groupStatus(let id, let status, let station):
            guard groups[id] != nil else { return }
            groups[id]!.wire.status = status
            groups[id]!.wire.progress = 100
            groups[id]!.wire.updatedAt = stamp
            if let station { groups[id]!.wire.priorityStation = station }
            groups[id]!.wire.protectedStatus = status == "protected" ? "started" : "stopped"
        case .deleteGroup(let id):
            groups[id] = nil
        case .drillStatus(let id, let status):
            drills[id]?.status = status
            drills[id]?.updatedAt = SDRSJSON.drillTime(now)
        case .deleteDrill(let id):
            if let group = drills.removeValue(forKey: id)?.serverGroupId { drillCounts[group, default: 1] -= 1 }
        }
    }

    private mutating func startJob(type: String, entities: [String: String], effect: Effect, now: Date, duration: Double? = nil) -> String {
        let id = newJobId()
        let job = Job(id: id, type: type, begin: now, duration: duration ?? jobSeconds, entities: entities, effect: effect)
        jobs[id] = job
        // Keep `pending` ordered by end time: usually an append.
        let end = job.begin.addingTimeInterval(job.duration)
        var index = pending.count
        while index > pendingHead, let other = jobs[pending[index - 1]], other.begin.addingTimeInterval(other.duration) > end { index -= 1 }
        pending.insert(id, at: index)
        if job.duration == 0 { advance(now: now) }
        return id
    }

    /// The job answer as the API shows it.
    func jobJSON(_ id: String, now: Date) throws(SDRSFault) -> [String: Any] {
        guard let job = jobs[id] else {
            throw SDRSFault(status: 404, code: "SDRS.0408", message: "The job is null.")
        }
        let status = jobStatus(job, now: now)
        return [
            "job_id": job.id, "job_type": job.type, "status": status,
            "entities": job.entities, "begin_time": Timestamp.rfc3339(job.begin),
            "end_time": status == "SUCCESS"
                ? Timestamp.rfc3339(job.begin.addingTimeInterval(job.duration)) as Any : NSNull(),
            "error_code": status == "FAIL" ? "SDRS.1106" as Any : NSNull(),
            "fail_reason": status == "FAIL" ? "The job failed (simulated fault)." as Any : NSNull(),
        ]
    }

    // MARK: Protection groups

    func group(_ id: String) throws(SDRSFault) -> SDRSWire.ServerGroup {
        guard var g = groups[id]?.wire else {
            throw .badRequest("SDRS.1013", "The protection group is not found.")
        }
        g.disasterRecoveryDrillNum = drillCounts[id] ?? 0
        return g
    }

    func listGroups(query: [String: String]) throws(SDRSFault) -> (items: [SDRSWire.ServerGroup], count: Int) {
        let (limit, offset) = try Self.paging(query)
        var all = groups.values.sorted { $0.createdOrder < $1.createdOrder }.compactMap { try? group($0.wire.id) }
        if let name = query["name"], !name.isEmpty { all = all.filter { $0.name.contains(name) } }
        if let status = query["status"], !status.isEmpty { all = all.filter { $0.status == status } }
        return (Array(all.dropFirst(offset).prefix(limit)), all.count)
    }

    static func paging(_ query: [String: String]) throws(SDRSFault) -> (limit: Int, offset: Int) {
        var limit = 1000, offset = 0
        if let text = query["limit"] {
            guard let value = Int(text), value >= 0, value <= 1000 else {
                throw .badRequest("SDRS.0221", "limit value must be greater than 0 or less than 1000")
            }
            limit = value
        }
        if let text = query["offset"] {
            guard let value = Int(text), value >= 0 else {
                throw .badRequest("SDRS.0222", "offset value cannot be negative, and must be an integer")
            }
            offset = value
        }
        return (limit, offset)
    }

    mutating func createGroup(_ p: SDRSWire.CreateServerGroupParams, now: Date) throws(SDRSFault) -> String {
        if !Validation.nameErrors(p.name, allowCJK: true).isEmpty { throw .badRequest("SDRS.0202", "The name is invalid.") }
        if !Validation.descriptionErrors(p.description).isEmpty {
            throw .badRequest("SDRS.0212", "The description is invalid.")
        }
        let zones = [domain.localReplicationCluster.availabilityZone, domain.remoteReplicationCluster.availabilityZone]
        if !zones.contains(p.sourceAvailabilityZone) || !zones.contains(p.targetAvailabilityZone)
            || p.sourceAvailabilityZone == p.targetAvailabilityZone
        {
            throw .badRequest("SDRS.0203", "The AZ is invalid.")
        }
        if p.domainId != domain.id { throw .badRequest("SDRS.0205", "The domain ID is invalid.") }
        if p.sourceVpcId.isEmpty { throw .badRequest("SDRS.0204", "The VPC is invalid.") }
        if let type = p.drType, type != "migration" { throw .badRequest("SDRS.0201", "The request parameters are invalid.") }
        let id = newUUID()
        counter += 1
        let stamp = Timestamp.rfc3339(now)
        let wire = SDRSWire.ServerGroup(
            id: id, name: p.name, description: p.description, status: "creating", progress: 0,
            sourceAvailabilityZone: p.sourceAvailabilityZone, targetAvailabilityZone: p.targetAvailabilityZone,
            domainId: domain.id, domainName: domain.name, priorityStation: "source", protectedInstanceNum: 0,
            replicationNum: 0, disasterRecoveryDrillNum: 0, protectedStatus: nil, replicationStatus: nil,
            healthStatus: nil, sourceVpcId: p.sourceVpcId, targetVpcId: p.sourceVpcId, testVpcId: nil,
            drType: p.drType ?? "migration", createdAt: stamp, updatedAt: stamp, protectionType: nil,
            replicationModel: nil, serverType: "ECS")
        groups[id] = Group(wire: wire, createdOrder: counter, protectedInstances: [])
        return startJob(
            type: "createProtectionGroupNoCG", entities: ["server_group_id": id],
            effect: .groupStatus(id: id, status: "available", priorityStation: nil), now: now)
    }

    mutating func deleteGroup(_ id: String, now: Date) throws(SDRSFault) -> String {
        let g = try group(id)
        if (drillCounts[id] ?? 0) > 0 {
            throw .badRequest("SDRS.1003", "The protection group cannot be deleted because it contains a DR drill.")
        }
        if (g.protectedInstanceNum ?? 0) > 0 {
            throw .badRequest("SDRS.1001", "The protection group cannot be deleted because it contains a protected instance.")
        }
        if (g.replicationNum ?? 0) > 0 {
            throw .badRequest("SDRS.1010", "The protection group cannot be deleted because it contains a replication pair.")
        }
        guard ["available", "error", "error-deleting"].contains(g.status) else {
            throw .badRequest("SDRS.1002", "This operation cannot be performed for the protection group in the current state.")
        }
        setGroupStatus(id, "deleting", now: now)
        return startJob(type: "deleteProtectionGroupNoCG", entities: ["server_group_id": id], effect: .deleteGroup(id: id), now: now)
    }

    private mutating func setGroupStatus(_ id: String, _ status: String, now: Date) {
        groups[id]?.wire.status = status
        groups[id]?.wire.progress = 0
        groups[id]?.wire.updatedAt = Timestamp.rfc3339(now)
    }

    /// `POST …/server-groups/{id}/action` with one of the hyphenated action keys.
    mutating func act(on id: String, body: [String: Any], now: Date) throws(SDRSFault) -> String {
        let g = try group(id)
        guard body.count == 1, let key = body.keys.first, let params = body[key] as? [String: Any] else {
            throw .badRequest("SDRS.0206", "The action is invalid.")
        }
        let wrongState = SDRSFault.badRequest(
            "SDRS.1002", "This operation cannot be performed for the protection group in the current state.")
        let entities = ["server_group_id": id]
        switch key {
        case "start-server-group":
            if ["available", "error-starting"].contains(g.status) {
                if (g.replicationNum ?? 0) == 0 { throw wrongState }
                setGroupStatus(id, "starting", now: now)
                return startJob(type: "startProtectionGroupNoCG", entities: entities,
                    effect: .groupStatus(id: id, status: "protected", priorityStation: nil), now: now)
            }
            if ["failed-over", "error-reprotecting"].contains(g.status) {
                setGroupStatus(id, "reprotecting", now: now)
                return startJob(type: "reprotectProtectionGroupNoCG", entities: entities,
                    effect: .groupStatus(id: id, status: "protected", priorityStation: nil), now: now)
            }
            throw .badRequest("SDRS.1020", "This operation cannot be performed because the protection group status is not available or starting.")
        case "stop-server-group":
            guard ["protected", "error-stopping"].contains(g.status) else { throw wrongState }
            setGroupStatus(id, "stopping", now: now)
            return startJob(type: "stopProtectionGroupNoCG", entities: entities,
                effect: .groupStatus(id: id, status: "available", priorityStation: nil), now: now)
        case "failover-server-group":
            guard ["protected", "error-failing-over", "error-reversing"].contains(g.status) else { throw wrongState }
            setGroupStatus(id, "failing-over", now: now)
            let station = g.priorityStation == "target" ? "source" : "target"
            return startJob(type: "failoverProtectionGroupNoCG", entities: entities,
                effect: .groupStatus(id: id, status: "failed-over", priorityStation: station), now: now)
        case "reverse-server-group":
            guard let station = params["priority_station"] as? String, ["source", "target"].contains(station) else {
                throw .badRequest("SDRS.0201", "The request parameters are invalid.")
            }
            guard ["protected", "error-reversing"].contains(g.status) else { throw wrongState }
            setGroupStatus(id, "reversing", now: now)
            return startJob(type: "reverseProtectionGroupNoCG", entities: entities,
                effect: .groupStatus(id: id, status: "protected", priorityStation: station), now: now)
        default:
            throw .badRequest("SDRS.0206", "The action is invalid.")
        }
    }

    // MARK: Drills

    func drill(_ id: String) throws(SDRSFault) -> SDRSWire.DisasterRecoveryDrill {
        guard let d = drills[id] else { throw .badRequest("SDRS.1902", "The DR drill is not found.") }
        return d
    }

    func listDrills(query: [String: String]) throws(SDRSFault) -> (items: [SDRSWire.DisasterRecoveryDrill], count: Int) {
        let (limit, offset) = try Self.paging(query)
        var all = drills.values.sorted { ($0.createdAt ?? "", $0.id) < ($1.createdAt ?? "", $1.id) }
        if let group = query["server_group_id"], !group.isEmpty { all = all.filter { $0.serverGroupId == group } }
        if let name = query["name"], !name.isEmpty { all = all.filter { $0.name.contains(name) } }
        if let status = query["status"], !status.isEmpty { all = all.filter { $0.status == status } }
        if let vpc = query["drill_vpc_id"], !vpc.isEmpty { all = all.filter { $0.drillVpcId == vpc } }
        return (Array(all.dropFirst(offset).prefix(limit)), all.count)
    }

    mutating func createDrill(_ p: SDRSWire.CreateDrillParams, now: Date) throws(SDRSFault) -> String {
        if !Validation.nameErrors(p.name, allowCJK: true).isEmpty { throw .badRequest("SDRS.0202", "The name is invalid.") }
        let g = try group(p.serverGroupId)
        guard Self.drillableGroupStatuses.contains(g.status) else {
            throw .badRequest("SDRS.0209", "The status is incorrect.")
        }
        if let vpc = p.drillVpcId {
            if vpc.isEmpty { throw .badRequest("SDRS.0204", "The VPC is invalid.") }
            if vpc == g.sourceVpcId { throw .badRequest("SDRS.1907", "The drill VPC conflicts with the VPC of the protection group.") }
            if drills.values.contains(where: { $0.drillVpcId == vpc }) {
                throw .badRequest("SDRS.1921", "The drill VPC is already used for creating a DR drill.")
            }
        }
        let id = newUUID()
        let stamp = SDRSJSON.drillTime(now)
        let servers = (groups[g.id]?.protectedInstances ?? []).map {
            SDRSWire.DrillServer(protectedInstance: $0, drillServerId: newUUID())
        }
        drills[id] = SDRSWire.DisasterRecoveryDrill(
            id: id, name: p.name, status: "creating", drillVpcId: p.drillVpcId ?? newUUID(), createdAt: stamp,
            updatedAt: stamp, serverGroupId: g.id, drillServers: servers)
        drillCounts[g.id, default: 0] += 1
        return startJob(
            type: "createDisasterRecoveryDrill", entities: ["server_group_id": g.id, "disaster_recovery_drill_id": id],
            effect: .drillStatus(id: id, status: "available"), now: now, duration: drillSeconds)
    }

    mutating func deleteDrill(_ id: String, now: Date) throws(SDRSFault) -> String {
        let d = try drill(id)
        guard ["available", "error", "error-deleting"].contains(d.status) else {
            throw .badRequest("SDRS.1913", "The DR drill cannot be deleted in the current state.")
        }
        drills[id]?.status = "deleting"
        drills[id]?.updatedAt = SDRSJSON.drillTime(now)
        return startJob(
            type: "deleteDisasterRecoveryDrill",
            entities: ["server_group_id": d.serverGroupId ?? "", "disaster_recovery_drill_id": id],
            effect: phantomDeletes ? .drillStatus(id: id, status: "available") : .deleteDrill(id: id), now: now)
    }
}
