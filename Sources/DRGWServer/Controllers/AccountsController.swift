import DRGWCore
import Hummingbird

/// `GET /v1/accounts`: the caller's accounts only.
struct AccountsController {
    let registry: AccountRegistry

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("accounts") { _, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let items = registry.accounts(for: tenant).map {
                AccountSummary(id: $0.settings.id, provider: $0.settings.provider, region: $0.settings.region)
            }
            return ProblemResponse.json(["items": items])
        }
    }
}
