import DRGWCore
import Hummingbird

/// DR drills of one account: list, get, create and delete.
struct DrillsController {
    let registry: AccountRegistry
    let writes: WriteCoordinator

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        let base = "accounts/:account/drills"
        group.get(RouterPath(base)) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let query = try ListQuery(request)
            var groupId: String?
            if let value = request.uri.queryParameters["protectionGroupId"].map(String.init) {
                let errors = Validation.idErrors(value, field: "protectionGroupId")
                if !errors.isEmpty { throw Problem.invalid(errors) }
                groupId = value
            }
            let page = try await entry.provider.listDrills(protectionGroupId: groupId, cursor: query.cursor, limit: query.limit, context: call)
            return ProblemResponse.json(page)
        }
        group.post(RouterPath(base)) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            var (body, _) = try await JSONBody.read(request, context: context, allowEmpty: false)
            let name = body.string("name", required: true, maxBytes: 64)
            if let name {
                for error in Validation.nameErrors(name, allowCJK: entry.settings.provider == "huawei-sdrs") {
                    body.fail(error.field, error.message)
                }
            }
            let groupId = body.id("protectionGroupId", required: true)
            let networkId = body.id("drillNetworkId")
            body.rejectUnknownFields()
            try body.check()
            let input = CreateDrillInput(name: name ?? "", protectionGroupId: groupId ?? "", drillNetworkId: networkId)
            return try await writes.execute(
                on: entry, kind: "drill.create", resource: ResourceReference(type: "drill", id: nil),
                canonicalBody: body.canonical(), request: request, context: context
            ) { try await $0.createDrill(input, context: $1) }
        }
        group.get(RouterPath(base + "/:drillId")) { request, context in
            let (entry, call) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            return ProblemResponse.json(try await entry.provider.drill(id: id, context: call))
        }
        group.delete(RouterPath(base + "/:drillId")) { request, context in
            let (entry, _) = try registry.resolve(request, context)
            let id = try context.parameters.id("drillId")
            return try await writes.execute(
                on: entry, kind: "drill.delete", resource: ResourceReference(type: "drill", id: id), request: request, context: context
            ) { try await $0.deleteDrill(id: id, context: $1) }
        }
    }
}
