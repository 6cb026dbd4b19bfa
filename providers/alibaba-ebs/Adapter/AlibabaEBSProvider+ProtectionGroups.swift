import DRGWCore
import Foundation

extension AlibabaEBSProvider {
    // MARK: Mapping

    func protectionGroup(_ group: AlibabaWire.Group) -> ProtectionGroup {
        let upstream = group.Status ?? ""
        return ProtectionGroup(
            id: group.ReplicaGroupId, account: account.id, provider: name, kind: .group, name: group.GroupName ?? "",
            status: statuses.groupStatus(upstream), providerStatus: upstream, description: group.Description,
            sourceAvailabilityZone: group.SourceZoneId, targetAvailabilityZone: group.DestinationZoneId,
            sourceRegionId: group.SourceRegionId, destinationRegionId: group.DestinationRegionId, memberCount: group.PairNumber)
    }

    func protectionGroup(_ pair: AlibabaWire.Pair) -> ProtectionGroup {
        let upstream = pair.Status ?? ""
        return ProtectionGroup(
            id: pair.ReplicaPairId, account: account.id, provider: name, kind: .pair, name: pair.PairName ?? "",
            status: statuses.groupStatus(upstream), providerStatus: upstream, description: pair.Description,
            sourceAvailabilityZone: pair.SourceZoneId, targetAvailabilityZone: pair.DestinationZoneId,
            sourceRegionId: pair.SourceRegion, destinationRegionId: pair.DestinationRegion, memberCount: 1,
            createdAt: timestamp(pair.CreateTime))
    }

    // MARK: Reads

    /// Lists groups first, then the pairs outside any group. The cursor is opaque: the stage
    /// (`g` or `p`) and the upstream `NextToken`.
    public func listProtectionGroups(cursor: String?, limit: Int, context: CallContext) async throws -> Page<ProtectionGroup> {
        var stage = "g"
        var token = ""
        if let cursor, !cursor.isEmpty {
            guard let parts = OpaqueID.decode(prefix: "acur", id: cursor), parts.count == 2, ["g", "p"].contains(parts[0]) else {
                throw Problem.invalid([FieldError(field: "cursor", message: "is not a cursor of this list")])
            }
            stage = parts[0]
            token = parts[1]
        }
        let limit = max(1, min(limit, 100))
        var items: [ProtectionGroup] = []
        while items.count < limit {
            var parameters: [(name: String, value: String)] = [("RegionId", account.region), ("MaxResults", String(limit - items.count))]
            if !token.isEmpty { parameters.append(("NextToken", token)) }
            let next: String
            if stage == "g" {
                let page = try await client.call(
                    "DescribeDiskReplicaGroups", parameters, region: account.region, safety: .read, context: context,
                    as: AlibabaWire.Groups.self)
                items += (page.ReplicaGroups ?? []).map { protectionGroup($0) }
                next = page.NextToken ?? ""
            } else {
                let page = try await client.call(
                    "DescribeDiskReplicaPairs", parameters, region: account.region, safety: .read, context: context,
                    as: AlibabaWire.Pairs.self)
                items += (page.ReplicaPairs ?? []).filter { ($0.ReplicaGroupId ?? "").isEmpty }.map { protectionGroup($0) }
                next = page.NextToken ?? ""
            }
            if next.isEmpty {
                if stage == "p" { return Page(items: items, nextCursor: nil) }
                stage = "p"
                token = ""
            } else {
                token = next
            }
        }
        return Page(items: items, nextCursor: OpaqueID.encode(prefix: "acur", parts: [stage, token]))
    }

    func describeGroup(_ id: String, context: CallContext) async throws -> AlibabaWire.Group? {
        let page = try await client.call(
            "DescribeDiskReplicaGroups", [("RegionId", account.region), ("GroupIds", id)], region: account.region,
            safety: .read, context: context, as: AlibabaWire.Groups.self)
        return page.ReplicaGroups?.first { $0.ReplicaGroupId == id }
    }

    func describePair(_ id: String, context: CallContext) async throws -> AlibabaWire.Pair? {
        let page = try await client.call(
            "DescribeDiskReplicaPairs", [("RegionId", account.region), ("PairIds", id)], region: account.region,
            safety: .read, context: context, as: AlibabaWire.Pairs.self)
        return page.ReplicaPairs?.first { $0.ReplicaPairId == id }
    }

    /// A group when the id looks like one (`pg-`), else a pair; the other kind is tried second.
    func findProtectionGroup(_ id: String, context: CallContext) async throws -> ProtectionGroup? {
        let found = try await readProtectionGroup(id, context: context)
        if let found, Self.drillableStatuses.contains(found.status) {
            drillableOwners.store(found, for: id, now: client.clock().timeIntervalSince1970)
        } else {
            drillableOwners.remove(id)
        }
        return found
    }

    private func readProtectionGroup(_ id: String, context: CallContext) async throws -> ProtectionGroup? {
        if id.hasPrefix("pg-") {
            if let group = try await describeGroup(id, context: context) { return protectionGroup(group) }
            return try await describePair(id, context: context).map { try standalone($0) }
        }
        if let pair = try await describePair(id, context: context) { return try standalone(pair) }
        return try await describeGroup(id, context: context).map { protectionGroup($0) }
    }

    /// A pair as a protection group of its own, unless it belongs to a replica group: such a pair
    /// is read, drilled and acted on through its group only (acting on it alone would leave it
    /// `stopped` while its group says `normal`).
    private func standalone(_ pair: AlibabaWire.Pair) throws -> ProtectionGroup {
        if let group = pair.ReplicaGroupId, !group.isEmpty {
            throw Problem(
                .conflict,
                detail: "Replica pair \(pair.ReplicaPairId) belongs to replica group \(group): use the group's id (\(group)) instead.",
                provider: name)
        }
        return protectionGroup(pair)
    }

    /// Reads one replica group or replica pair by its Alibaba id.
    public func protectionGroup(id: String, context: CallContext) async throws -> ProtectionGroup {
        try Self.idProblem(id, field: "groupId")
        guard let group = try await findProtectionGroup(id, context: context) else { throw Problem.notFound("Protection group \(id)") }
        return group
    }

    // MARK: Writes

    /// Creates a replica group (`CreateDiskReplicaGroup`); with `providerOptions.kind = pair`
    /// and `diskId`/`destinationDiskId`, a replica pair (`CreateDiskReplicaPair`) instead.
    public func createProtectionGroupErrors(_ input: CreateProtectionGroupInput) -> [FieldError] {
        var errors = Validation.nameErrors(input.name)
        if errors.isEmpty, input.name.utf8.count < 2 || !(input.name.unicodeScalars.first.map { CharacterSet.letters.contains($0) } ?? false) {
            errors.append(FieldError(field: "name", message: "must be at least 2 characters and start with a letter (Alibaba rule)"))
        }
        errors += Validation.descriptionErrors(input.description)
        if let description = input.description, !description.isEmpty, description.count < 2 {
            errors.append(FieldError(field: "description", message: "must be at least 2 characters (Alibaba rule)"))
        }
        let options = input.providerOptions ?? [:]
        let isPair = options["kind"] == "pair"
        for key in options.keys where !["kind", "diskId", "destinationDiskId"].contains(key) {
            errors.append(FieldError(field: "providerOptions.\(key)", message: "is not an alibaba-ebs option"))
        }
        if let kind = options["kind"], !["pair", "group"].contains(kind) {
            errors.append(FieldError(field: "providerOptions.kind", message: "must be 'group' or 'pair'"))
        }
        let region = input.sourceRegionId ?? account.region
        for (field, value) in [("sourceRegionId", region), ("sourceZoneId", input.sourceZoneId), ("destinationRegionId", input.destinationRegionId),
            ("destinationZoneId", input.destinationZoneId)] as [(String, String?)]
        {
            guard let value, !value.isEmpty else {
                errors.append(FieldError(field: field, message: "is required"))
                continue
            }
            errors += Validation.idErrors(value, field: field)
        }
        if let source = input.sourceRegionId, let destination = input.destinationRegionId, source == destination, input.sourceZoneId == input.destinationZoneId {
            errors.append(FieldError(field: "destinationZoneId", message: "must differ from the source site"))
        }
        if let rpo = input.rpo, rpo != 900 { errors.append(FieldError(field: "rpo", message: "must be 900 (the only value Alibaba supports)")) }
        if isPair {
            for key in ["diskId", "destinationDiskId"] {
                if let value = options[key], !value.isEmpty { errors += Validation.idErrors(value, field: "providerOptions.\(key)") } else {
                    errors.append(FieldError(field: "providerOptions.\(key)", message: "is required for a replica pair"))
                }
            }
        }
        errors += input.foreignFieldErrors(
            [("sourceAvailabilityZone", input.sourceAvailabilityZone), ("targetAvailabilityZone", input.targetAvailabilityZone),
             ("sourceNetworkId", input.sourceNetworkId), ("domainId", input.domainId), ("drType", input.drType)], provider: name)
        return errors
    }

    public func createProtectionGroup(_ input: CreateProtectionGroupInput, context: CallContext) async throws -> UpstreamJob {
        let errors = createProtectionGroupErrors(input)
        if !errors.isEmpty { throw Problem.invalid(errors) }
        let options = input.providerOptions ?? [:]
        let isPair = options["kind"] == "pair"
        let region = input.sourceRegionId ?? account.region

        var parameters: [(name: String, value: String)] = [
            ("RegionId", region), ("SourceZoneId", input.sourceZoneId!), ("DestinationRegionId", input.destinationRegionId!),
            ("DestinationZoneId", input.destinationZoneId!), ("RPO", String(input.rpo ?? 900)), ("ClientToken", Self.clientToken(context)),
        ]
        if let description = input.description, !description.isEmpty { parameters.append(("Description", description)) }
        let id: String
        if isPair {
            parameters += [("PairName", input.name), ("DiskId", options["diskId"]!), ("DestinationDiskId", options["destinationDiskId"]!)]
            id = try await client.call(
                "CreateDiskReplicaPair", parameters, region: region, safety: .clientToken, context: context, as: AlibabaWire.PairCreated.self
            ).ReplicaPairId
        } else {
            parameters.append(("GroupName", input.name))
            id = try await client.call(
                "CreateDiskReplicaGroup", parameters, region: region, safety: .clientToken, context: context, as: AlibabaWire.GroupCreated.self
            ).ReplicaGroupId
        }
        return UpstreamJob(
            kind: "protectionGroup.create", resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["kind": isPair ? "pair" : "group", "id": id])
    }

    /// Deletes a replica group (it must be empty) or pair, in its primary region.
    public func deleteProtectionGroup(id: String, context: CallContext) async throws -> UpstreamJob {
        defer { drillableOwners.remove(id) }  // after the write: the read below refreshes the entry
        let group = try await protectionGroup(id: id, context: context)
        // Delete goes to the primary (source) region.
        let region = group.sourceRegionId ?? account.region
        let isGroup = group.kind == .group
        _ = try await client.call(
            isGroup ? "DeleteDiskReplicaGroup" : "DeleteDiskReplicaPair",
            [("RegionId", region), (isGroup ? "ReplicaGroupId" : "ReplicaPairId", id), ("ClientToken", Self.clientToken(context))],
            region: region, safety: .clientToken, context: context, as: AlibabaWire.Empty.self)
        return UpstreamJob(
            kind: "protectionGroup.delete", resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["kind": group.kind.rawValue, "id": id])
    }

    /// Start/Stop (primary region), Failover/Reprotect (secondary region) on a group or pair;
    /// switchover is `501 not_supported` (Alibaba has no planned failover).
    public func perform(_ action: ProtectionGroupAction, onProtectionGroup id: String, input: ActionInput, context: CallContext) async throws
        -> UpstreamJob
    {
        if action == .switchover { throw Problem.notSupported("Switchover", provider: name) }
        defer { drillableOwners.remove(id) }  // after the write: the read below refreshes the entry
        let group = try await protectionGroup(id: id, context: context)
        let isGroup = group.kind == .group
        let verb: String
        var region = group.sourceRegionId ?? account.region
        switch action {
        case .start: verb = "Start"
        case .stop: verb = "Stop"
        case .failover:
            verb = "Failover"
            region = group.destinationRegionId ?? account.region
        case .reprotect:
            verb = "Reprotect"
            region = group.destinationRegionId ?? account.region
        case .switchover: throw Problem.notSupported("Switchover", provider: name)
        }
        _ = try await client.call(
            "\(verb)DiskReplica\(isGroup ? "Group" : "Pair")",
            [("RegionId", region), (isGroup ? "ReplicaGroupId" : "ReplicaPairId", id), ("ClientToken", Self.clientToken(context))],
            region: region, safety: .clientToken, context: context, as: AlibabaWire.Empty.self)
        return UpstreamJob(
            kind: action.operationKind, resource: ResourceReference(type: "protectionGroup", id: id),
            token: ["kind": group.kind.rawValue, "id": id])
    }
}
