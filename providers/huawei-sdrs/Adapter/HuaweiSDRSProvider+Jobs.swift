import DRGWCore
import Foundation

extension HuaweiSDRSProvider {
    public func progress(of job: UpstreamJob, context: CallContext) async throws -> JobProgress {
        if let adopted = job.token["adoptedId"] { return .succeeded(resourceId: adopted) }
        if let awaited = job.token["awaitGroupStatus"], let groupId = job.token["groupId"] {
            let group = try await rawGroup(id: groupId, context: context)
            if group.status == awaited { return .succeeded(resourceId: groupId) }
            if group.status.hasPrefix("error") {
                return .failed(
                    Problem(
                        .upstreamError, detail: "The protection group ended in \(group.status).", retryable: false,
                        provider: name))
            }
            return .running
        }
        guard let jobId = job.token["jobId"] else {
            throw Problem(.internalError, detail: "The operation has no upstream job to follow.", provider: name)
        }
        try check(id: jobId, field: "jobId")
        let response = try await call("GET", "/jobs/\(jobId)", write: false, context: context)
        guard let object = try? JSONValue(parsing: response.body), case .object = object else {
            throw Problem(
                .upstreamError, detail: "huawei-sdrs sent a job that could not be read.", provider: name,
                providerRequestId: HuaweiErrorParser.requestId(of: response))
        }
        let status = object["status"]?.stringValue ?? ""
        // The id of what a create job makes, as its entities name it (known from the job's start).
        let key: String?
        switch job.kind {
        case "protectionGroup.create": key = "server_group_id"
        case "drill.create": key = "disaster_recovery_drill_id"
        default: key = nil
        }
        let createdId = key.flatMap { object["entities"]?[$0]?.stringValue }.flatMap { $0.isEmpty ? nil : $0 }
        switch tables.statuses.terminal?[status] {
        case "succeeded":
            return .succeeded(resourceId: createdId ?? job.resource.id)
        case "failed":
            let (code, reason) = Self.failure(in: object)
            var problem = tables.errors.problem(
                provider: name, httpStatus: 500, code: code, message: reason,
                requestId: HuaweiErrorParser.requestId(of: response))
            problem.detail = "The huawei-sdrs job \(jobId) failed" + (code.map { " with \($0)." } ?? ".")
            return .failed(problem)
        default:
            // INIT, RUNNING and any status SDRS may add later.
            if let createdId, job.resource.id == nil { return .creating(resourceId: createdId) }
            return .running
        }
    }

    /// The error code and reason of a failed job, looking into its sub-jobs when the job has none.
    static func failure(in job: JSONValue) -> (code: String?, reason: String?) {
        let code = job["error_code"]?.stringValue
        let reason = job["fail_reason"]?.stringValue
        if code != nil { return (code, reason) }
        guard case .array(let subJobs)? = job["entities"]?["sub_jobs"] else { return (nil, reason) }
        for sub in subJobs {
            if let subCode = sub["error_code"]?.stringValue { return (subCode, sub["fail_reason"]?.stringValue ?? reason) }
        }
        return (nil, reason)
    }
}
