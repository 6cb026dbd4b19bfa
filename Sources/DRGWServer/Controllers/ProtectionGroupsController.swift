import DRGWCore
import Hummingbird

/// Protection groups of one account: list, get, create, delete and the five actions.
struct ProtectionGroupsController {
    let registry: AccountRegistry
    let writes: WriteCoordinator

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        let base = "accounts/:account/protection-groups"
        group.get(RouterPath(base)) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let query = try ListQuery(request, filters: ["status"])
            let status = try ListFilter.value(request, "status", as: ProtectionGroupStatus.self)
            var page = try await entry.provider.listProtectionGroups(cursor: query.cursor, limit: query.limit, context: call)
            if let status { page.items.removeAll { $0.status != status } }
            return ProblemResponse.json(page.answered)
        }
        group.post(RouterPath(base)) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: false)
            let input = Self.createInput(&body)
            // The provider's field rules, listed with the body's own errors in one answer.
            let reported = Set(body.errors.map(\.field))
            for error in entry.provider.createProtectionGroupErrors(input) where !reported.contains(error.field) {
                body.fail(error.field, error.message)
            }
            try body.check()
            return try await writes.execute(
                on: entry, kind: "protectionGroup.create", resource: ResourceReference(type: "protectionGroup", id: nil),
                canonicalBody: body.canonical(), request: request, context: context
            ) { try await $0.createProtectionGroup(input, context: $1) }
        }
        group.get(RouterPath(base + "/:groupId")) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let id = try context.parameters.id("groupId")
            do {
                return ProblemResponse.json(try await entry.provider.protectionGroup(id: id, context: call))
            } catch let problem as Problem {
                throw problem.namingMissing("Protection group '\(id)'")
            }
        }
        group.delete(RouterPath(base + "/:groupId")) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            let id = try context.parameters.id("groupId")
            return try await writes.execute(
                on: entry, kind: "protectionGroup.delete", resource: ResourceReference(type: "protectionGroup", id: id),
                request: request, context: context
            ) { try await $0.deleteProtectionGroup(id: id, context: $1) }
        }
        for action in ProtectionGroupAction.allCases {
            group.post(RouterPath(base + "/:groupId/" + action.rawValue)) { request, context in
                let (entry, _) = try registry.resolve(request, context)
                let id = try context.parameters.id("groupId")
                var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: action != .switchover)
                var input = ActionInput()
                if action == .switchover {
                    input.priorityStation = body.string("priorityStation", required: true)
                    if let station = input.priorityStation, !["target", "source"].contains(station) {
                        body.fail("priorityStation", "must be 'target' or 'source'")
                    }
                }
                body.rejectUnknownFields()
                try body.check()
                let chosen = input
                return try await writes.execute(
                    on: entry, kind: action.operationKind, resource: ResourceReference(type: "protectionGroup", id: id),
                    canonicalBody: body.canonical(), request: request, context: context
                ) { try await $0.perform(action, onProtectionGroup: id, input: chosen, context: $1) }
            }
        }
    }

    static func createInput(_ body: inout JSONBody) -> CreateProtectionGroupInput {
        let name = body.string("name", required: true, maxBytes: 64) ?? ""
        if !name.isEmpty {
            for error in Validation.nameErrors(name, allowCJK: true) { body.fail(error.field, error.message) }
        }
        var input = CreateProtectionGroupInput(name: name, description: body.string("description", maxBytes: 64))
        for error in Validation.descriptionErrors(input.description) { body.fail(error.field, error.message) }
        input.sourceAvailabilityZone = body.string("sourceAvailabilityZone", maxBytes: 64)
        input.targetAvailabilityZone = body.string("targetAvailabilityZone", maxBytes: 64)
        input.sourceNetworkId = body.id("sourceNetworkId")
        input.domainId = body.id("domainId")
        input.drType = body.string("drType", maxBytes: 32)
        input.sourceRegionId = body.string("sourceRegionId", maxBytes: 64)
        input.sourceZoneId = body.string("sourceZoneId", maxBytes: 64)
        input.destinationRegionId = body.string("destinationRegionId", maxBytes: 64)
        input.destinationZoneId = body.string("destinationZoneId", maxBytes: 64)
        input.rpo = body.int("rpo", range: 1...86400)
        input.providerOptions = body.stringMap("providerOptions")
        body.rejectUnknownFields()
        return input
    }
}

extension AccountRegistry {
    /// The account (404/403 checked) and the call context of a read.
    func resolve(_ request: Request, _ context: GatewayRequestContext) throws -> (Entry, CallContext) {
        guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
        let account = try context.parameters.id("account")
        let entry = try entry(account, for: tenant)
        context.logFields.set("account", account)
        return (entry, CallContext(requestId: context.requestId, traceparent: request.headers[.traceparent]))
    }
}
