import DRGWCore
import Foundation

extension AWSDRSProvider {
    /// Tags drgw puts on what it starts: the job, and through it the recovery instances.
    static let managedTag = "drgw:managed"
    static let groupTag = "drgw:protection-group"
    static let drillNameTag = "drgw:drill-name"
    /// Recovery instance states that mean the instance is gone.
    static let goneInstanceStates: Set<String> = ["TERMINATED", "NOT_FOUND"]

    public func listDrills(protectionGroupId: String?, cursor: String?, limit: Int, context: CallContext) async throws -> Page<Drill> {
        if let group = protectionGroupId { try check(id: group, field: "protectionGroupId") }
        let page = try await call(
            "DescribeJobs", DRSWire.DescribeJobsRequest(maxResults: max(1, min(limit, 1000)), nextToken: token(from: cursor)),
            as: DRSWire.DescribeJobsResponse.self, write: false, context: context)
        let jobs = (page.items ?? []).filter { job in
            job.initiatedBy == "START_DRILL" && (protectionGroupId == nil || job.tags?[Self.groupTag] == protectionGroupId)
        }
        let instances = try await recoveryInstances(ids: jobs.flatMap(Self.instanceIds), context: context)
        let drills = jobs.map { unified($0, instances: instances) }.filter { $0.status != .deleted }
        return Page(items: drills, nextCursor: page.nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    public func drill(id: String, context: CallContext) async throws -> Drill {
        let job = try await drillJob(id: id, context: context)
        let instances = try await recoveryInstances(ids: Self.instanceIds(of: job), context: context)
        let drill = unified(job, instances: instances)
        // DRS keeps the launch job; once its instances are gone the drill is, as on every cloud.
        if drill.status == .deleted {
            throw Problem(.notFound, detail: "No drill \(id) in account \(account.id) (its recovery instances are terminated).", provider: name)
        }
        return drill
    }

    /// The launch job of drill `id` (a drill's id is its job id); anything else is not found.
    func drillJob(id: String, context: CallContext) async throws -> DRSWire.Job {
        try check(id: id, field: "drillId")
        guard id.hasPrefix("drsjob-"), let job = try await describeJob(id: id, context: context), job.initiatedBy == "START_DRILL" else {
            throw Problem(.notFound, detail: "No drill \(id) in account \(account.id).", provider: name)
        }
        return job
    }

    func describeJob(id: String, context: CallContext) async throws -> DRSWire.Job? {
        try await call(
            "DescribeJobs", DRSWire.DescribeJobsRequest(filters: .init(jobIDs: [id])), as: DRSWire.DescribeJobsResponse.self,
            write: false, context: context
        ).items?.first { $0.jobID == id }
    }

    /// The recovery instances among `ids` that DRS still lists, by id (one call per 200 ids).
    func recoveryInstances(ids: [String], context: CallContext) async throws -> [String: DRSWire.RecoveryInstance] {
        var found: [String: DRSWire.RecoveryInstance] = [:]
        var rest = ids[...]
        while !rest.isEmpty {
            let chunk = Array(rest.prefix(200))
            rest = rest.dropFirst(200)
            try await paginate { token in
                let page = try await call(
                    "DescribeRecoveryInstances",
                    DRSWire.DescribeRecoveryInstancesRequest(filters: .init(recoveryInstanceIDs: chunk), maxResults: 200, nextToken: token),
                    as: DRSWire.DescribeRecoveryInstancesResponse.self, write: false, context: context)
                for instance in page.items ?? [] {
                    if let id = instance.recoveryInstanceID { found[id] = instance }
                }
                return page.nextToken
            }
        }
        return found
    }

    static func instanceIds(of job: DRSWire.Job) -> [String] {
        (job.participatingServers ?? []).compactMap(\.recoveryInstanceID)
    }

    /// A drill is the launch job of the plan's servers with `isDrill: true`; its id is the job id,
    /// known at once. The name and group ride along as tags. DRS has no client token for this call:
    /// a replay whose first outcome is unknown looks for a drill job with the same tags first.
    public func createDrill(_ input: CreateDrillInput, context: CallContext) async throws -> UpstreamJob {
        var errors = Validation.nameErrors(input.name) + Validation.idErrors(input.protectionGroupId, field: "protectionGroupId")
        if input.drillNetworkId != nil {
            errors.append(
                FieldError(field: "drillNetworkId", message: "is not supported by aws-drs (each source server's launch settings choose the network)"))
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
        let kind = "drill.create"
        if context.reconcile, let existing = try await findDrill(named: input.name, group: input.protectionGroupId, context: context) {
            return UpstreamJob(kind: kind, resource: ResourceReference(type: "drill", id: existing), token: ["jobId": existing])
        }
        let arn = try await planArn(of: input.protectionGroupId, context: context)
        let servers = try await sourceServerIds(ofPlan: arn, context: context)
        guard !servers.isEmpty else {
            throw Problem(.conflict, detail: "The protection group has no source servers to drill.", provider: name)
        }
        let job = try await startRecovery(
            servers: servers, drill: true, tags: [Self.groupTag: input.protectionGroupId, Self.drillNameTag: input.name], context: context)
        return UpstreamJob(kind: kind, resource: ResourceReference(type: "drill", id: job.jobID), token: ["jobId": job.jobID])
    }

    /// `StartRecovery` of `servers` (at most 200 per call, DRS's limit).
    func startRecovery(servers: [String], drill: Bool, tags: [String: String], context: CallContext) async throws -> DRSWire.Job {
        guard servers.count <= 200 else {
            throw Problem(.conflict, detail: "A DRS recovery launches at most 200 source servers; the group has \(servers.count).", provider: name)
        }
        let answer = try await call(
            "StartRecovery",
            DRSWire.StartRecoveryRequest(
                sourceServers: servers.map { .init(sourceServerID: $0) }, isDrill: drill, tags: tags.merging([Self.managedTag: "true"]) { a, _ in a }),
            as: DRSWire.JobEnvelope.self, write: true, context: context)
        guard let job = answer.job else {
            throw Problem(.upstreamError, detail: "aws-drs answered StartRecovery without a job.", provider: name)
        }
        return job
    }

    /// The id of a drill job of `group` tagged with `name` in the last day, still alive.
    func findDrill(named wanted: String, group: String, context: CallContext) async throws -> String? {
        let since = Timestamp.iso8601Seconds(clock().addingTimeInterval(-86_400))
        let jobs = try await call(
            "DescribeJobs", DRSWire.DescribeJobsRequest(filters: .init(fromDate: since), maxResults: 1000),
            as: DRSWire.DescribeJobsResponse.self, write: false, context: context
        ).items ?? []
        return jobs.first {
            $0.initiatedBy == "START_DRILL" && $0.tags?[Self.drillNameTag] == wanted && $0.tags?[Self.groupTag] == group
        }?.jobID
    }

    /// Terminates the drill's recovery instances; the operation ends when DRS no longer lists them.
    public func deleteDrill(id: String, context: CallContext) async throws -> UpstreamJob {
        let job = try await drillJob(id: id, context: context)
        guard job.status == "COMPLETED" else {
            throw Problem(.conflict, detail: "The drill is still launching; delete it once it is ready.", provider: name)
        }
        let instances = try await recoveryInstances(ids: Self.instanceIds(of: job), context: context)
        let alive = instances.values.filter { !Self.goneInstanceStates.contains($0.ec2InstanceState ?? "") }.compactMap(\.recoveryInstanceID).sorted()
        guard !alive.isEmpty else {
            throw Problem(.notFound, detail: "Drill \(id) has no recovery instances left (already deleted).", provider: name)
        }
        let answer = try await call(
            "TerminateRecoveryInstances", DRSWire.TerminateRecoveryInstancesRequest(recoveryInstanceIDs: alive),
            as: DRSWire.JobEnvelope.self, write: true, context: context)
        guard let terminate = answer.job else {
            throw Problem(.upstreamError, detail: "aws-drs answered TerminateRecoveryInstances without a job.", provider: name)
        }
        return UpstreamJob(
            kind: "drill.delete", resource: ResourceReference(type: "drill", id: id),
            token: ["jobId": terminate.jobID, "instances": alive.joined(separator: ",")])
    }

    /// The unified drill of a launch job, given the recovery instances DRS still lists.
    func unified(_ job: DRSWire.Job, instances: [String: DRSWire.RecoveryInstance]) -> Drill {
        let servers = job.participatingServers ?? []
        let providerStatus: String
        if job.status != "COMPLETED" {
            providerStatus = job.status ?? "PENDING"
        } else if !servers.isEmpty, servers.allSatisfy({ $0.launchStatus == "FAILED" }) {
            providerStatus = "FAILED"
        } else {
            let ids = Self.instanceIds(of: job)
            let states = ids.map { instances[$0]?.ec2InstanceState ?? "TERMINATED" }
            if states.allSatisfy(Self.goneInstanceStates.contains) {
                providerStatus = "TERMINATED"
            } else if states.contains(where: { ["SHUTTING-DOWN", "STOPPING"].contains($0) }) {
                providerStatus = "DELETING"
            } else {
                providerStatus = "LAUNCHED"
            }
        }
        return Drill(
            id: job.jobID, account: account.id, provider: name, name: job.tags?[Self.drillNameTag] ?? job.jobID,
            protectionGroupId: job.tags?[Self.groupTag] ?? "", status: tables.statuses.drillStatus(providerStatus),
            providerStatus: providerStatus, createdAt: job.creationDateTime.map(Self.rfc3339) ?? "")
    }
}
