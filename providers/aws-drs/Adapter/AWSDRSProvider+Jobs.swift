import DRGWCore
import Foundation

extension AWSDRSProvider {
    /// Seconds after a terminate job's end during which its instances may still be listed before
    /// the delete is called failed (DRS reports the job before EC2 has let the instance go).
    static let terminationGraceSeconds: Double = 30

    public func progress(of job: UpstreamJob, context: CallContext) async throws -> JobProgress {
        if let done = job.token["done"] { return .succeeded(resourceId: done) }
        guard let jobId = job.token["jobId"] else {
            throw Problem(.internalError, detail: "The operation has no upstream job to follow.", provider: name)
        }
        try check(id: jobId, field: "jobId")
        guard let upstream = try await describeJob(id: jobId, context: context) else {
            return .failed(Problem(.upstreamError, detail: "The aws-drs job \(jobId) is no longer listed.", retryable: false, provider: name))
        }
        guard tables.statuses.terminal?[upstream.status ?? ""] == "succeeded" else {
            // PENDING, STARTED and any status DRS may add later.
            if job.resource.id == nil, job.kind == "drill.create" { return .creating(resourceId: jobId) }
            return .running
        }
        if job.kind == "drill.delete" {
            return try await verifyTermination(job, terminate: upstream, context: context)
        }
        let servers = upstream.participatingServers ?? []
        if let failed = servers.first(where: { $0.launchStatus == "FAILED" }) {
            let reason = try? await launchFailure(jobId: jobId, server: failed.sourceServerID, context: context)
            var problem = Problem(
                .upstreamError, detail: "The aws-drs job \(jobId) failed to launch source server \(failed.sourceServerID ?? "?").",
                retryable: false, provider: name, providerMessage: reason.map { String($0.prefix(512)) })
            problem.providerCode = "LAUNCH_FAILED"
            return .failed(problem)
        }
        return .succeeded(resourceId: job.resource.id ?? (job.kind == "drill.create" ? jobId : nil))
    }

    /// A drill delete is done when none of its recovery instances is listed any more (or all are
    /// terminated), not merely when the terminate job says so.
    func verifyTermination(_ job: UpstreamJob, terminate: DRSWire.Job, context: CallContext) async throws -> JobProgress {
        let ids = Self.idList(job.token["instances"] ?? "")
        let left = try await recoveryInstances(ids: ids, context: context).values
            .filter { !Self.goneInstanceStates.contains($0.ec2InstanceState ?? "") }
            .compactMap(\.recoveryInstanceID).sorted()
        if left.isEmpty { return .succeeded(resourceId: job.resource.id) }
        let ended = terminate.endDateTime.flatMap { Timestamp.parseRFC3339(Self.rfc3339($0)) } ?? clock()
        if clock().timeIntervalSince(ended) < Self.terminationGraceSeconds { return .running }
        return .failed(
            Problem(
                .upstreamError,
                detail: "aws-drs reported the termination job \(terminate.jobID) complete, but recovery instance(s) \(left.joined(separator: ", ")) still exist.",
                retryable: false, provider: name))
    }

    /// The `rawError` of the launch failure of `server` in the job's log.
    func launchFailure(jobId: String, server: String?, context: CallContext) async throws -> String? {
        let logs = try await call(
            "DescribeJobLogItems", DRSWire.DescribeJobLogItemsRequest(jobID: jobId, maxResults: 1000),
            as: DRSWire.DescribeJobLogItemsResponse.self, write: false, context: context
        ).items ?? []
        return logs.last { $0.event?.hasSuffix("FAIL") == true || $0.event?.hasSuffix("FAILED") == true }
            .flatMap { log in log.eventData?.rawError ?? log.event }
    }
}
