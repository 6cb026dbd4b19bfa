import DRGWCore
import Foundation

extension AlibabaEBSProvider {
    /// The parts of an opaque drill id.
    struct DrillRef: Sendable {
        var kind: ProtectionGroupKind
        var ownerId: String
        var drillId: String

        var opaqueId: String { OpaqueID.encode(prefix: AlibabaEBSProvider.drillPrefix, parts: [kind.rawValue, ownerId, drillId]) }

        init(kind: ProtectionGroupKind, ownerId: String, drillId: String) {
            self.kind = kind
            self.ownerId = ownerId
            self.drillId = drillId
        }

        /// Decodes an id of the unified API; nil when it is not one of ours.
        init?(opaqueId: String) {
            guard let parts = OpaqueID.decode(prefix: AlibabaEBSProvider.drillPrefix, id: opaqueId), parts.count == 3,
                let kind = ProtectionGroupKind(rawValue: parts[0]),
                Validation.idErrors(parts[1], field: "x").isEmpty, Validation.idErrors(parts[2], field: "x").isEmpty
            else { return nil }
            self.init(kind: kind, ownerId: parts[1], drillId: parts[2])
        }
    }

    func drill(_ wire: AlibabaWire.Drill, ref: DrillRef) -> Drill {
        let upstream = wire.Status ?? ""
        var drill = Drill(
            id: ref.opaqueId, account: account.id, provider: name, name: wire.DrillId, protectionGroupId: ref.ownerId,
            status: statuses.drillStatus(upstream), providerStatus: upstream, createdAt: timestamp(wire.StartAt) ?? "")
        drill.providerId = wire.DrillId
        return drill
    }

    /// One page of a pair's or group's drills.
    func describeDrills(kind: ProtectionGroupKind, ownerId: String, drillId: String?, nextToken: String?, limit: Int, context: CallContext)
        async throws -> AlibabaWire.Drills
    {
        var parameters: [(name: String, value: String)] = [
            ("RegionId", account.region), (kind == .group ? "GroupId" : "PairId", ownerId), ("MaxResults", String(limit)),
        ]
        if let drillId { parameters.append(("DrillId", drillId)) }
        if let nextToken, !nextToken.isEmpty { parameters.append(("NextToken", nextToken)) }
        return try await client.call(
            kind == .group ? "DescribeReplicaGroupDrills" : "DescribePairDrills", parameters, region: account.region, safety: .read,
            context: context, as: AlibabaWire.Drills.self)
    }

    /// The upstream drill, or nil when it is gone (a cleared drill leaves the list).
    func findDrill(_ ref: DrillRef, context: CallContext) async throws -> AlibabaWire.Drill? {
        do {
            let page = try await describeDrills(kind: ref.kind, ownerId: ref.ownerId, drillId: ref.drillId, nextToken: nil, limit: 10, context: context)
            return page.Drills?.first { $0.DrillId == ref.drillId }
        } catch let problem as Problem where problem.hasCode(.notFound) {
            return nil
        }
    }

    /// Reads a drill by its opaque id; `name` and `providerId` are the upstream `DrillId` (Alibaba drills
    /// have no name; the gateway shows the name a drill it created was given).
    public func drill(id: String, context: CallContext) async throws -> Drill {
        guard let ref = DrillRef(opaqueId: id) else { throw Problem.notFound("Drill \(id)") }
        guard let wire = try await findDrill(ref, context: context) else { throw Problem.notFound("Drill \(id)") }
        return drill(wire, ref: ref)
    }

    /// Drills of one protection group (cursor = upstream `NextToken`), or of every group and
    /// standalone pair of the account (cursor = an offset into that combined list).
    public func listDrills(protectionGroupId: String?, cursor: String?, limit: Int, context: CallContext) async throws -> Page<Drill> {
        let limit = max(1, min(limit, 100))
        if let protectionGroupId {
            let owner = try await protectionGroup(id: protectionGroupId, context: context)
            var token: String?
            if let cursor, !cursor.isEmpty {
                guard let parts = OpaqueID.decode(prefix: "adcur", id: cursor), parts.count == 1 else {
                    throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list")])
                }
                token = parts[0]
            }
            let page = try await describeDrills(kind: owner.kind, ownerId: owner.id, drillId: nil, nextToken: token, limit: limit, context: context)
            let items = (page.Drills ?? []).map { drill($0, ref: DrillRef(kind: owner.kind, ownerId: owner.id, drillId: $0.DrillId)) }
            let next = page.NextToken.flatMap { $0.isEmpty ? nil : OpaqueID.encode(prefix: "adcur", parts: [$0]) }
            return Page(items: items, nextCursor: next)
        }
        var offset = 0
        if let cursor, !cursor.isEmpty {
            guard let parts = OpaqueID.decode(prefix: "adall", id: cursor), parts.count == 1, let value = Int(parts[0]), value >= 0 else {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list")])
            }
            offset = value
        }
        var owners: [ProtectionGroup] = []
        var groupCursor: String?
        repeat {
            let page = try await listProtectionGroups(cursor: groupCursor, limit: 100, context: context)
            owners += page.items
            groupCursor = page.nextCursor
        } while groupCursor != nil
        var all: [Drill] = []
        for owner in owners {
            var token: String?
            repeat {
                let page = try await describeDrills(kind: owner.kind, ownerId: owner.id, drillId: nil, nextToken: token, limit: 100, context: context)
                all += (page.Drills ?? []).map { drill($0, ref: DrillRef(kind: owner.kind, ownerId: owner.id, drillId: $0.DrillId)) }
                token = page.NextToken.flatMap { $0.isEmpty ? nil : $0 }
            } while token != nil
        }
        let slice = Array(all.dropFirst(offset).prefix(limit))
        let end = offset + slice.count
        return Page(items: slice, nextCursor: end < all.count ? OpaqueID.encode(prefix: "adall", parts: [String(end)]) : nil)
    }

    /// Starts a drill on a replica group or a standalone pair, in its secondary region. The
    /// group is read first: a drill needs a drillable status, else `409 conflict` with no write.
    /// A passed check is reused for `account.groupCheckSeconds` (upstream still enforces the rule).
    /// `drillNetworkId` has no Alibaba counterpart (the drill disk is made in the secondary zone) and is ignored.
    public func createDrill(_ input: CreateDrillInput, context: CallContext) async throws -> UpstreamJob {
        var errors = Validation.nameErrors(input.name)
        errors += Validation.idErrors(input.protectionGroupId, field: "protectionGroupId")
        if input.drillNetworkId != nil {
            // StartPairDrill / StartReplicaGroupDrill take no network: the drill disks are made in the
            // destination zone of the pair. Refused rather than dropped.
            errors.append(FieldError(field: "drillNetworkId", message: "is not supported by alibaba-ebs (drills have no network)"))
        }
        if !errors.isEmpty { throw Problem.invalid(errors) }
        var owner: ProtectionGroup?
        switch drillableOwners.lookup(input.protectionGroupId, now: client.clock().timeIntervalSince1970) {
        case .fresh(let cached): owner = cached
        case .refresh(let cached):
            owner = cached
            // Re-read in the background (findProtectionGroup updates the entry) while this create goes on.
            let refresh = CallContext(requestId: context.requestId + "-group-check")
            context.runLater { [self] in _ = try? await findProtectionGroup(input.protectionGroupId, context: refresh) }
        case .miss: owner = try await findProtectionGroup(input.protectionGroupId, context: context)
        }
        guard let owner else { throw Problem.notFound("Protection group \(input.protectionGroupId)") }
        guard Self.drillableStatuses.contains(owner.status) else {
            throw Problem(
                .conflict,
                detail: "A drill cannot start while the protection group is \(owner.status.rawValue) (\(owner.providerStatus)).",
                provider: name)
        }
        let region = owner.destinationRegionId ?? account.region
        let isGroup = owner.kind == .group
        let started: AlibabaWire.DrillStarted
        do {
            started = try await client.call(
                isGroup ? "StartReplicaGroupDrill" : "StartPairDrill",
                [("RegionId", region), (isGroup ? "GroupId" : "PairId", owner.id), ("ClientToken", Self.clientToken(context))],
                region: region, safety: .clientToken, context: context, as: AlibabaWire.DrillStarted.self)
        } catch let problem as Problem where problem.hasCode(.conflict) {
            drillableOwners.remove(owner.id)  // the owner changed since it was read
            throw problem
        }
        let ref = DrillRef(kind: owner.kind, ownerId: owner.id, drillId: started.DrillId)
        return UpstreamJob(
            kind: "drill.create", resource: ResourceReference(type: "drill", id: ref.opaqueId),
            token: ["kind": ref.kind.rawValue, "ownerId": ref.ownerId, "drillId": ref.drillId])
    }

    /// Clears a drill (`ClearPairDrill` / `ClearReplicaGroupDrill`, no ClientToken: retried only
    /// when the request surely never arrived or was throttled).
    public func deleteDrill(id: String, context: CallContext) async throws -> UpstreamJob {
        guard let ref = DrillRef(opaqueId: id) else { throw Problem.notFound("Drill \(id)") }
        guard let wire = try await findDrill(ref, context: context) else { throw Problem.notFound("Drill \(id)") }
        if wire.Status == "executing" {
            throw Problem(.conflict, detail: "The drill is still being created; delete it once it is ready.", provider: name)
        }
        let job = UpstreamJob(
            kind: "drill.delete", resource: ResourceReference(type: "drill", id: id),
            token: ["kind": ref.kind.rawValue, "ownerId": ref.ownerId, "drillId": ref.drillId])
        if wire.Status == "clearing" { return job }
        let owner = try await findProtectionGroup(ref.ownerId, context: context)
        let region = owner?.destinationRegionId ?? account.region
        let isGroup = ref.kind == .group
        _ = try await client.call(
            isGroup ? "ClearReplicaGroupDrill" : "ClearPairDrill",
            [("RegionId", region), (isGroup ? "GroupId" : "PairId", ref.ownerId), ("DrillId", ref.drillId)],
            region: region, safety: .unsafe, context: context, as: AlibabaWire.Empty.self)
        return job
    }

    /// Follows a job by reading the resource's upstream status and applying `Data/operations.json`.
    public func progress(of job: UpstreamJob, context: CallContext) async throws -> JobProgress {
        guard let rule = operations[job.kind] else {
            throw Problem(.internalError, detail: "alibaba-ebs cannot follow operations of kind \(job.kind).")
        }
        let status: String?
        if job.kind.hasPrefix("drill.") {
            guard let kindText = job.token["kind"], let kind = ProtectionGroupKind(rawValue: kindText), let ownerId = job.token["ownerId"],
                let drillId = job.token["drillId"]
            else { throw Problem(.internalError, detail: "The operation's upstream job is incomplete.") }
            status = try await findDrill(DrillRef(kind: kind, ownerId: ownerId, drillId: drillId), context: context)?.Status
        } else {
            guard let id = job.token["id"] else { throw Problem(.internalError, detail: "The operation's upstream job is incomplete.") }
            if job.token["kind"] == "group" {
                status = try await describeGroup(id, context: context)?.Status
            } else {
                status = try await describePair(id, context: context)?.Status
            }
        }
        switch rule.outcome(forStatus: status) {
        case .running: return .running
        case .succeeded: return .succeeded(resourceId: job.resource.id)
        case .failed:
            return .failed(Problem(
                .upstreamError, detail: "The upstream job ended in status \(status ?? "gone").", retryable: false, provider: name,
                providerCode: status))
        }
    }
}
