import DRGWCore
import Foundation

extension AWSDRSProvider {
    /// `providerOptions` of a protection group create: the source servers of the plan's one server
    /// step, by id list or by tag.
    static let groupOptionKeys = ["sourceServerIds", "sourceServerTag"]

    public func listProtectionGroups(cursor: String?, limit: Int, context: CallContext) async throws -> Page<ProtectionGroup> {
        let list = try await call(
            "ListRecoveryPlans", DRSWire.ListRecoveryPlansRequest(maxResults: max(1, min(limit, 100)), nextToken: token(from: cursor)),
            as: DRSWire.ListRecoveryPlansResponse.self, write: false, context: context)
        list.recoveryPlans.forEach { planArns.remember($0.recoveryPlanArn) }
        let items = list.recoveryPlans.compactMap { plan in
            Self.planId(fromArn: plan.recoveryPlanArn).map { id in
                unified(id: id, name: plan.name, status: plan.status, description: nil, createdAt: plan.createdAt, updatedAt: plan.updatedAt, members: nil)
            }
        }
        return Page(items: items, nextCursor: list.nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    public func protectionGroup(id: String, context: CallContext) async throws -> ProtectionGroup {
        let arn = try await planArn(of: id, context: context)
        let plan = try await call(
            "GetRecoveryPlan", DRSWire.RecoveryPlanReference(recoveryPlanArn: arn), as: DRSWire.RecoveryPlanEnvelope.self, write: false,
            context: context
        ).recoveryPlan
        let servers = try await sourceServerIds(ofPlan: arn, context: context)
        return unified(
            id: id, name: plan.name, status: plan.status, description: plan.description, createdAt: plan.createdAt,
            updatedAt: plan.updatedAt, members: servers.count)
    }

    /// The ARN of the recovery plan `id` (`rp-…`): remembered, or found in `ListRecoveryPlans`.
    func planArn(of id: String, context: CallContext) async throws -> String {
        try check(id: id, field: "protectionGroupId")
        if let known = planArns.arn(of: id) { return known }
        _ = try await findPlan(context: context) { $0.recoveryPlanArn.hasSuffix("/" + id) }
        if let found = planArns.arn(of: id) { return found }
        throw Problem(.notFound, detail: "No protection group \(id) in account \(account.id).", provider: name)
    }

    /// The source server ids of a plan's server steps, in step order.
    func sourceServerIds(ofPlan arn: String, context: CallContext) async throws -> [String] {
        var steps: [DRSWire.RecoveryPlanStep] = []
        try await paginate(maxPages: 10) { token in
            let page = try await call(
                "ListRecoveryPlanSteps", DRSWire.ListRecoveryPlanStepsRequest(recoveryPlanArn: arn, maxResults: 100, nextToken: token),
                as: DRSWire.ListRecoveryPlanStepsResponse.self, write: false, context: context)
            steps += page.recoveryPlanSteps
            return page.nextToken
        }
        var seen = Set<String>()
        return steps.sorted { $0.stepOrder < $1.stepOrder }
            .flatMap { $0.configuration.serverStepConfiguration?.servers ?? [] }
            .compactMap { Self.lastSegment(of: $0.serverArn) }
            .filter { seen.insert($0).inserted }
    }

    /// What follows the last `/` of an ARN.
    static func lastSegment(of arn: String) -> String? {
        planId(fromArn: arn)
    }

    public func createProtectionGroupErrors(_ input: CreateProtectionGroupInput) -> [FieldError] {
        var errors = Validation.nameErrors(input.name) + Validation.descriptionErrors(input.description)
        if errors.isEmpty, let first = input.name.unicodeScalars.first,
            !(CharacterSet.alphanumerics.contains(first) && first.isASCII) || input.name.contains(".")
        {
            errors.append(FieldError(field: "name", message: "must start with a letter or digit and hold only letters, digits, '_' and '-' (a DRS recovery plan name)"))
        }
        let options = input.providerOptions ?? [:]
        for key in options.keys.sorted() where !Self.groupOptionKeys.contains(key) {
            errors.append(FieldError(field: "providerOptions.\(key)", message: "is not an option of aws-drs"))
        }
        switch (options["sourceServerIds"], options["sourceServerTag"]) {
        case (nil, nil):
            errors.append(
                FieldError(field: "providerOptions.sourceServerIds", message: "or providerOptions.sourceServerTag is required"))
        case (.some, .some):
            errors.append(FieldError(field: "providerOptions.sourceServerTag", message: "cannot be combined with sourceServerIds"))
        case (let ids?, nil):
            let list = Self.idList(ids)
            if list.isEmpty || list.count > 100 {
                errors.append(FieldError(field: "providerOptions.sourceServerIds", message: "must list 1 to 100 source server ids, comma-separated"))
            } else if let bad = list.first(where: { !Self.isSourceServerId($0) }) {
                errors.append(FieldError(field: "providerOptions.sourceServerIds", message: "holds \(bad.prefix(40)), which is not a source server id (s-…)"))
            }
        case (nil, let tag?):
            if Self.tagFilter(tag) == nil {
                errors.append(FieldError(field: "providerOptions.sourceServerTag", message: "must be KEY=VALUE"))
            }
        }
        errors += input.foreignFieldErrors(
            [("sourceAvailabilityZone", input.sourceAvailabilityZone), ("targetAvailabilityZone", input.targetAvailabilityZone),
             ("sourceNetworkId", input.sourceNetworkId), ("domainId", input.domainId), ("drType", input.drType),
             ("sourceRegionId", input.sourceRegionId), ("sourceZoneId", input.sourceZoneId),
             ("destinationRegionId", input.destinationRegionId), ("destinationZoneId", input.destinationZoneId), ("rpo", input.rpo)],
            provider: name)
        return errors
    }

    /// A recovery plan with one server step. The servers are resolved first, so that a bad id or a
    /// tag that matches nothing leaves no empty plan behind; both writes carry a client token.
    public func createProtectionGroup(_ input: CreateProtectionGroupInput, context: CallContext) async throws -> UpstreamJob {
        let errors = createProtectionGroupErrors(input)
        if !errors.isEmpty { throw Problem.invalid(errors) }
        let kind = "protectionGroup.create"
        if context.reconcile, let existing = try await findPlan(named: input.name, context: context) {
            return UpstreamJob(kind: kind, resource: ResourceReference(type: "protectionGroup", id: existing), token: ["done": existing])
        }
        let servers = try await selectServers(input.providerOptions ?? [:], context: context)
        let plan = try await call(
            "CreateRecoveryPlan",
            DRSWire.CreateRecoveryPlanRequest(
                name: input.name, description: input.description, clientToken: context.clientToken, tags: [Self.managedTag: "true"]),
            as: DRSWire.RecoveryPlanEnvelope.self, write: true, context: context
        ).recoveryPlan
        planArns.remember(plan.recoveryPlanArn)
        guard let id = Self.planId(fromArn: plan.recoveryPlanArn) else {
            throw Problem(.upstreamError, detail: "aws-drs answered CreateRecoveryPlan without a plan ARN.", provider: name)
        }
        _ = try await call(
            "CreateRecoveryPlanStep",
            DRSWire.CreateRecoveryPlanStepRequest(
                recoveryPlanArn: plan.recoveryPlanArn, stepName: "servers", stepOrder: 1,
                configuration: .init(serverStepConfiguration: .init(servers: servers.map { .init(serverArn: $0) })),
                clientToken: context.clientToken.map { String($0.prefix(58)) + "-step1" }),
            as: DRSWire.RecoveryPlanStepEnvelope.self, write: true, context: context)
        return UpstreamJob(kind: kind, resource: ResourceReference(type: "protectionGroup", id: id), token: ["done": id])
    }

    /// The ARNs of the servers `options` selects; none is a 400.
    func selectServers(_ options: [String: String], context: CallContext) async throws -> [String] {
        let wanted = options["sourceServerIds"].map(Self.idList)
        let servers = try await describeSourceServers(ids: wanted, context: context)
        if let wanted {
            let found = Set(servers.compactMap(\.sourceServerID))
            if let missing = wanted.first(where: { !found.contains($0) }) {
                throw Problem.invalid([FieldError(field: "providerOptions.sourceServerIds", message: "names \(missing), which is not a source server of this account")])
            }
            return servers.compactMap(\.arn)
        }
        guard let tag = options["sourceServerTag"].flatMap(Self.tagFilter) else { return [] }
        let matching = servers.filter { $0.tags?[tag.key] == tag.value }.compactMap(\.arn)
        if matching.isEmpty {
            throw Problem.invalid([FieldError(field: "providerOptions.sourceServerTag", message: "matches no source server of this account")])
        }
        if matching.count > 100 {
            throw Problem.invalid([FieldError(field: "providerOptions.sourceServerTag", message: "matches more than 100 source servers (a plan step holds at most 100)")])
        }
        return matching
    }

    /// Every source server (or the ones named), all pages.
    func describeSourceServers(ids: [String]?, context: CallContext) async throws -> [DRSWire.SourceServer] {
        var servers: [DRSWire.SourceServer] = []
        try await paginate(maxPages: 50) { token in
            let page = try await call(
                "DescribeSourceServers",
                DRSWire.DescribeSourceServersRequest(filters: .init(sourceServerIDs: ids), maxResults: 200, nextToken: token),
                as: DRSWire.DescribeSourceServersResponse.self, write: false, context: context)
            servers += page.items ?? []
            return page.nextToken
        }
        return servers
    }

    /// The id of a plan called exactly `name`.
    func findPlan(named wanted: String, context: CallContext) async throws -> String? {
        try await findPlan(context: context) { $0.name == wanted }.flatMap { Self.planId(fromArn: $0.recoveryPlanArn) }
    }

    /// The first plan `matches` accepts, reading `ListRecoveryPlans` page by page (every ARN seen is remembered).
    func findPlan(
        context: CallContext, _ matches: (DRSWire.RecoveryPlanSummary) -> Bool
    ) async throws -> DRSWire.RecoveryPlanSummary? {
        var found: DRSWire.RecoveryPlanSummary?
        try await paginate(maxPages: 20) { token in
            let list = try await call(
                "ListRecoveryPlans", DRSWire.ListRecoveryPlansRequest(maxResults: 100, nextToken: token),
                as: DRSWire.ListRecoveryPlansResponse.self, write: false, context: context)
            list.recoveryPlans.forEach { planArns.remember($0.recoveryPlanArn) }
            found = list.recoveryPlans.first(where: matches)
            return found == nil ? list.nextToken : nil
        }
        return found
    }

    public func deleteProtectionGroup(id: String, context: CallContext) async throws -> UpstreamJob {
        let arn = try await planArn(of: id, context: context)
        _ = try await call(
            "DeleteRecoveryPlan", DRSWire.RecoveryPlanReference(recoveryPlanArn: arn), as: DRSWire.RecoveryPlanReference.self,
            write: true, context: context)
        return UpstreamJob(kind: "protectionGroup.delete", resource: ResourceReference(type: "protectionGroup", id: id), token: ["done": id])
    }

    /// `failover`: a recovery launch (`StartRecovery`, `isDrill: false`) of the plan's servers.
    /// `reprotect`: `ReverseReplication` of each server's recovery instance (failback replication).
    /// DRS has no start, stop or switchover of a plan: 501.
    public func perform(
        _ action: ProtectionGroupAction, onProtectionGroup id: String, input: ActionInput, context: CallContext
    ) async throws -> UpstreamJob {
        let resource = ResourceReference(type: "protectionGroup", id: id)
        switch action {
        case .failover:
            let arn = try await planArn(of: id, context: context)
            let servers = try await sourceServerIds(ofPlan: arn, context: context)
            guard !servers.isEmpty else {
                throw Problem(.conflict, detail: "The protection group has no source servers to recover.", provider: name)
            }
            let job = try await startRecovery(servers: servers, drill: false, tags: [Self.groupTag: id], context: context)
            return UpstreamJob(kind: action.operationKind, resource: resource, token: ["jobId": job.jobID])
        case .reprotect:
            let arn = try await planArn(of: id, context: context)
            let servers = try await describeSourceServers(ids: try await sourceServerIds(ofPlan: arn, context: context), context: context)
            let instances = servers.compactMap(\.recoveryInstanceId)
            guard !instances.isEmpty else {
                throw Problem(.conflict, detail: "No server of the protection group has a recovery instance to reverse (fail over first).", provider: name)
            }
            for instance in instances {
                _ = try await call(
                    "ReverseReplication", DRSWire.ReverseReplicationRequest(recoveryInstanceID: instance),
                    as: DRSWire.ReverseReplicationResponse.self, write: true, context: context)
            }
            return UpstreamJob(kind: action.operationKind, resource: resource, token: ["done": id])
        case .start, .stop, .switchover:
            throw Problem(
                .notSupported, detail: "aws-drs has no \(action.rawValue) of a protection group (a DRS recovery plan).", provider: name)
        }
    }

    func unified(
        id: String, name planName: String, status: String, description: String?, createdAt: String?, updatedAt: String?, members: Int?
    ) -> ProtectionGroup {
        ProtectionGroup(
            id: id, account: account.id, provider: name, kind: .group, name: planName, status: tables.statuses.groupStatus(status),
            providerStatus: status, description: description, sourceRegionId: nil, destinationRegionId: account.region,
            memberCount: members, createdAt: createdAt.map(Self.rfc3339), updatedAt: updatedAt.map(Self.rfc3339))
    }

    /// DRS times (`2026-12-06T01:02:03.123456Z`, fractions of any length) as the unified RFC 3339 with milliseconds.
    static func rfc3339(_ text: String) -> String {
        if let date = Timestamp.parseRFC3339(text) { return Timestamp.rfc3339(date) }
        if let dot = text.firstIndex(of: "."), text.hasSuffix("Z") {
            let fraction = text[text.index(after: dot)..<text.index(before: text.endIndex)]
            let base = String(text[..<dot]) + "." + String((fraction + "000").prefix(3)) + "Z"
            if let date = Timestamp.parseRFC3339(base) { return Timestamp.rfc3339(date) }
        }
        return text
    }

    /// `a, b ,c` → `["a", "b", "c"]`.
    static func idList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `s-` and 17 letters or digits.
    static func isSourceServerId(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        return bytes.count == 19 && id.hasPrefix("s-")
            && bytes.dropFirst(2).allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// `KEY=VALUE` → the pair (the value may be empty, the key may not).
    static func tagFilter(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.utf8.count <= 128 else { return nil }
        return (key, String(text[text.index(after: equals)...]))
    }
}
