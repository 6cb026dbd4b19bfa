import AWSDRS
import DRGWCore
import Foundation

/// Launch and terminate jobs, their logs, recovery instances and reverse replication.
extension DRSSimulatorWorld {
    // MARK: Time

    /// Moves every job whose time has come to its next stage, in the order the changes fall due,
    /// and applies what that stage does (once).
    mutating func advance(now: Date) {
        while true {
            var due: (id: String, at: Date)?
            for id in activeJobs {
                guard let at = jobs[id]?.nextChange, at <= now else { continue }
                if due == nil || at < due!.at { due = (id, at) }
            }
            guard let due else { return }
            step(due.id)
        }
    }

    private mutating func step(_ id: String) {
        guard var job = jobs[id] else { return }
        switch job.stage {
        case .pending:
            job.stage = .started
            job.wire.status = "STARTED"
            let stamp = Timestamp.rfc3339(job.startedAt)
            let event = job.kind == .terminate ? "CLEANUP_START" : "LAUNCH_START"
            for index in (job.wire.participatingServers ?? []).indices {
                if job.kind != .terminate { job.wire.participatingServers![index].launchStatus = "IN_PROGRESS" }
                let server = job.wire.participatingServers![index]
                let data = DRSWire.JobLogEventData(sourceServerID: server.sourceServerID, targetInstanceID: server.recoveryInstanceID)
                job.logs.append(.init(logDateTime: stamp, event: event, eventData: data))
            }
        case .started:
            job.stage = .completed
            job.wire.status = "COMPLETED"
            job.wire.endDateTime = Timestamp.rfc3339(job.end)
            switch job.kind {
            case .launch(let drill): completeLaunch(&job, drill: drill)
            case .terminate: completeTermination(&job)
            }
            job.logs.append(.init(logDateTime: job.wire.endDateTime, event: "JOB_END"))
            activeJobs.removeAll { $0 == id }
        case .completed:
            return
        }
        jobs[id] = job
    }

    private mutating func completeLaunch(_ job: inout JobRecord, drill: Bool) {
        let stamp = job.wire.endDateTime
        for index in (job.wire.participatingServers ?? []).indices {
            let serverId = job.wire.participatingServers![index].sourceServerID ?? ""
            if failJobs {
                job.wire.participatingServers![index].launchStatus = "FAILED"
                job.logs.append(
                    .init(
                        logDateTime: stamp, event: "LAUNCH_FAILED",
                        eventData: .init(
                            sourceServerID: serverId,
                            rawError: "Simulated launch failure: the recovery instance of \(serverId) did not pass its status checks.")))
                servers[serverId]?.wire.lastLaunchResult = "FAILED"
                continue
            }
            var instanceId = newId("i-")
            while instances[instanceId] != nil { instanceId = newId("i-") }
            instances[instanceId] = InstanceRecord(
                wire: .init(
                    ec2InstanceID: instanceId, ec2InstanceState: "RUNNING", jobID: job.wire.jobID, recoveryInstanceID: instanceId,
                    sourceServerID: serverId, arn: arn("recovery-instance/\(instanceId)"), tags: job.wire.tags ?? [:],
                    pointInTimeSnapshotDateTime: job.wire.creationDateTime, isDrill: drill),
                seq: nextSeq())
            job.wire.participatingServers![index].recoveryInstanceID = instanceId
            job.wire.participatingServers![index].launchStatus = "LAUNCHED"
            job.logs.append(
                .init(logDateTime: stamp, event: "CONVERSION_END", eventData: .init(sourceServerID: serverId, targetInstanceID: instanceId)))
            servers[serverId]?.wire.recoveryInstanceId = instanceId
            servers[serverId]?.wire.lastLaunchResult = "SUCCEEDED"
        }
    }

    private mutating func completeTermination(_ job: inout JobRecord) {
        let stamp = job.wire.endDateTime
        for index in (job.wire.participatingServers ?? []).indices {
            let server = job.wire.participatingServers![index]
            let instanceId = server.recoveryInstanceID ?? ""
            if failJobs {
                job.wire.participatingServers![index].launchStatus = "FAILED"
                instances[instanceId]?.wire.ec2InstanceState = "RUNNING"
                job.logs.append(
                    .init(
                        logDateTime: stamp, event: "CLEANUP_FAIL",
                        eventData: .init(
                            sourceServerID: server.sourceServerID, targetInstanceID: instanceId,
                            rawError: "Simulated termination failure: EC2 did not terminate \(instanceId).")))
                continue
            }
            job.wire.participatingServers![index].launchStatus = "TERMINATED"
            let data = DRSWire.JobLogEventData(sourceServerID: server.sourceServerID, targetInstanceID: instanceId)
            job.logs.append(.init(logDateTime: stamp, event: "CLEANUP_END", eventData: data))
            // A phantom delete: the job reports success, the instance keeps running.
            if phantomDeletes { continue }
            instances[instanceId] = nil
            if let serverId = server.sourceServerID, servers[serverId]?.wire.recoveryInstanceId == instanceId {
                servers[serverId]?.wire.recoveryInstanceId = nil
            }
        }
    }

    /// Records a new job (PENDING, `JOB_START` logged) and returns it as created.
    private mutating func addJob(
        type: String, initiatedBy: String, kind: JobRecord.Kind, participants: [DRSWire.ParticipatingServer], tags: DRSWire.Tags?,
        duration: Double, now: Date
    ) -> DRSWire.Job {
        var id = newId("drsjob-")
        while jobs[id] != nil { id = newId("drsjob-") }
        let stamp = Timestamp.rfc3339(now)
        let wire = DRSWire.Job(
            jobID: id, arn: arn("job/\(id)"), type: type, initiatedBy: initiatedBy, creationDateTime: stamp, status: "PENDING",
            participatingServers: participants, tags: tags ?? [:])
        var record = JobRecord(wire: wire, kind: kind, seq: nextSeq(), begin: now, duration: duration)
        record.logs.append(.init(logDateTime: stamp, event: "JOB_START"))
        jobs[id] = record
        activeJobs.append(id)
        advance(now: now)
        return wire
    }

    // MARK: Operations

    /// `StartRecovery`: a LAUNCH job of the servers; one launch at a time per server.
    mutating func startRecovery(_ request: DRSWire.StartRecoveryRequest, now: Date) throws(DRSFault) -> DRSWire.Job {
        let ids = request.sourceServers.map(\.sourceServerID)
        guard !ids.isEmpty, ids.count <= 200 else {
            throw .validation("sourceServers must list 1 to 200 source servers.", field: "sourceServers")
        }
        if Set(ids).count != ids.count {
            throw .validation("sourceServers lists a source server more than once.", field: "sourceServers")
        }
        if let unknown = ids.first(where: { servers[$0] == nil }) {
            throw .validation("Source server \(unknown.prefix(64)) does not exist.", field: "sourceServers")
        }
        let launching = Set(
            activeJobs.compactMap { jobs[$0] }.filter { $0.kind != .terminate }
                .flatMap { ($0.wire.participatingServers ?? []).compactMap(\.sourceServerID) })
        if let busy = ids.first(where: launching.contains) {
            throw .conflict("Source server \(busy) already has a launch job in progress.", resourceId: busy, resourceType: "SOURCE_SERVER")
        }
        let drill = request.isDrill ?? false
        for id in ids { servers[id]?.wire.lastLaunchResult = "PENDING" }
        return addJob(
            type: "LAUNCH", initiatedBy: drill ? "START_DRILL" : "START_RECOVERY", kind: .launch(drill: drill),
            participants: ids.map { .init(sourceServerID: $0, launchStatus: "PENDING") }, tags: request.tags,
            duration: drill ? drillSeconds : jobSeconds, now: now)
    }

    /// `TerminateRecoveryInstances`: a TERMINATE job; the instances are shutting down at once.
    mutating func terminateRecoveryInstances(_ request: DRSWire.TerminateRecoveryInstancesRequest, now: Date) throws(DRSFault) -> DRSWire.Job {
        let ids = request.recoveryInstanceIDs
        guard !ids.isEmpty, ids.count <= 200 else {
            throw .validation("recoveryInstanceIDs must list 1 to 200 recovery instances.", field: "recoveryInstanceIDs")
        }
        // The model lists no ResourceNotFoundException for this operation, so an unknown id is a
        // ValidationException (400) naming it.
        if let unknown = ids.first(where: { instances[$0] == nil }) {
            throw .validation("Recovery instance \(unknown.prefix(64)) does not exist.", field: "recoveryInstanceIDs")
        }
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        if !phantomDeletes {
            for id in unique { instances[id]?.wire.ec2InstanceState = "SHUTTING-DOWN" }
        }
        let participants = unique.map {
            DRSWire.ParticipatingServer(sourceServerID: instances[$0]?.wire.sourceServerID, recoveryInstanceID: $0, launchStatus: "PENDING")
        }
        return addJob(
            type: "TERMINATE", initiatedBy: "TERMINATE_RECOVERY_INSTANCES", kind: .terminate, participants: participants, tags: nil,
            duration: jobSeconds, now: now)
    }

    func describeJobs(_ request: DRSWire.DescribeJobsRequest) throws(DRSFault) -> DRSWire.DescribeJobsResponse {
        var all = jobs.values.sorted { $0.seq > $1.seq }
        if let ids = request.filters?.jobIDs, !ids.isEmpty {
            let wanted = Set(ids)
            all = all.filter { wanted.contains($0.wire.jobID) }
        }
        if let text = request.filters?.fromDate, !text.isEmpty {
            guard let from = Self.parseDate(text) else { throw .validation("fromDate is not an ISO 8601 date and time.", field: "filters.fromDate") }
            all = all.filter { $0.begin >= from }
        }
        if let text = request.filters?.toDate, !text.isEmpty {
            guard let to = Self.parseDate(text) else { throw .validation("toDate is not an ISO 8601 date and time.", field: "filters.toDate") }
            all = all.filter { $0.begin <= to }
        }
        let page = try Self.page(all, key: \.seq, descending: true, maxResults: request.maxResults, nextToken: request.nextToken, list: "jobs")
        return .init(items: page.items.map(\.wire), nextToken: page.nextToken)
    }

    func describeJobLogItems(_ request: DRSWire.DescribeJobLogItemsRequest) throws(DRSFault) -> DRSWire.DescribeJobLogItemsResponse {
        guard let job = jobs[request.jobID] else {
            throw .validation("Job \(request.jobID.prefix(64)) does not exist.", field: "jobID")
        }
        let numbered = Array(job.logs.enumerated())
        let page = try Self.page(numbered, key: \.offset, maxResults: request.maxResults, nextToken: request.nextToken, list: "jobLog")
        return .init(items: page.items.map(\.element), nextToken: page.nextToken)
    }

    /// `DeleteJob`: only a completed job can go.
    mutating func deleteJob(_ id: String) throws(DRSFault) {
        guard let job = jobs[id] else {
            throw .notFound("Job \(id.prefix(64)) does not exist.", resourceId: id, resourceType: "JOB")
        }
        guard job.stage == .completed else {
            throw .conflict("Job \(id) is still \(job.wire.status ?? "running") and cannot be deleted.", resourceId: id, resourceType: "JOB")
        }
        jobs[id] = nil
    }

    func describeRecoveryInstances(_ request: DRSWire.DescribeRecoveryInstancesRequest) throws(DRSFault)
        -> DRSWire.DescribeRecoveryInstancesResponse
    {
        var all = instances.values.sorted { $0.seq < $1.seq }
        if let ids = request.filters?.recoveryInstanceIDs, !ids.isEmpty {
            let wanted = Set(ids)
            all = all.filter { wanted.contains($0.wire.recoveryInstanceID ?? "") }
        }
        if let ids = request.filters?.sourceServerIDs, !ids.isEmpty {
            let wanted = Set(ids)
            all = all.filter { wanted.contains($0.wire.sourceServerID ?? "") }
        }
        let page = try Self.page(all, key: \.seq, maxResults: request.maxResults, nextToken: request.nextToken, list: "recoveryInstances")
        return .init(items: page.items.map(\.wire), nextToken: page.nextToken)
    }

    /// `ReverseReplication`: a failback source server for the recovery instance (the same one when
    /// asked again); the original server replicates in the FAILBACK direction from then on.
    mutating func reverseReplication(_ request: DRSWire.ReverseReplicationRequest) throws(DRSFault) -> DRSWire.ReverseReplicationResponse {
        let id = request.recoveryInstanceID
        guard let instance = instances[id]?.wire else {
            throw .notFound("Recovery instance \(id.prefix(64)) does not exist.", resourceId: id, resourceType: "RECOVERY_INSTANCE")
        }
        if instance.isDrill == true {
            throw .validation(
                "Recovery instance \(id) was launched by a drill; replication can only be reversed for a recovery.", field: "recoveryInstanceID")
        }
        guard instance.ec2InstanceState == "RUNNING" else {
            throw .conflict(
                "Recovery instance \(id) is \(instance.ec2InstanceState ?? "not running"); replication can only be reversed for a running instance.",
                resourceId: id, resourceType: "RECOVERY_INSTANCE")
        }
        guard let serverId = instance.sourceServerID, servers[serverId] != nil else {
            throw .notFound("The source server of recovery instance \(id) no longer exists.", resourceId: id, resourceType: "SOURCE_SERVER")
        }
        if let existing = servers[serverId]?.reversedDirectionSourceServerArn {
            return .init(reversedDirectionSourceServerArn: existing)
        }
        // The failback server lives where the original workload ran, not in this region's list.
        var failbackId = newId("s-")
        while servers[failbackId] != nil { failbackId = newId("s-") }
        let reversed = serverArn(failbackId)
        servers[serverId]?.reversedDirectionSourceServerArn = reversed
        servers[serverId]?.wire.replicationDirection = "FAILBACK"
        return .init(reversedDirectionSourceServerArn: reversed)
    }
}
