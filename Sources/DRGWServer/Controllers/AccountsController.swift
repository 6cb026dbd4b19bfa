import DRGWCore
import Hummingbird

/// `GET /v1/accounts`: the caller's accounts only.
struct AccountsController {
    let registry: AccountRegistry

    struct Item: Encodable {
        var id: String
        var provider: String
        var region: String
    }

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("accounts") { _, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let items = registry.accounts(for: tenant).map {
                Item(id: $0.settings.id, provider: $0.settings.provider, region: $0.settings.region)
            }
            return ProblemResponse.json(["items": items])
        }
    }
}
