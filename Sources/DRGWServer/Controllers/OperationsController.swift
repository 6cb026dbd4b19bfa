import DRGWCore
import DRGWStore
import Hummingbird

/// Operations of the caller's tenant; another tenant's id answers 404.
struct OperationsController {
    let registry: AccountRegistry
    let operations: any OperationStore

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("operations") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let list = try ListQuery(request)
            let params = request.uri.queryParameters
            var query = OperationQuery(tenant: tenant.name, cursor: list.cursor, limit: list.limit)
            var errors: [FieldError] = []
            if let account = params["account"].map(String.init) {
                errors += Validation.idErrors(account, field: "account")
                query.accounts = [account]
            }
            if let status = params["status"].map(String.init) {
                if let value = OperationStatus(rawValue: status) { query.status = value } else {
                    errors.append(FieldError(field: "status", message: "must be running, succeeded or failed"))
                }
            }
            if let cursor = list.cursor, Int(cursor) == nil {
                errors.append(FieldError(field: "cursor", message: "is not a cursor this gateway issued"))
            }
            if !errors.isEmpty { throw Problem.invalid(errors) }
            if let accounts = query.accounts {
                query.accounts = accounts.filter { tenant.accounts.contains($0) }
            } else {
                query.accounts = tenant.accounts
            }
            return ProblemResponse.json(try await operations.list(query))
        }
        group.get("operations/:operationId") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let id = try context.parameters.id("operationId")
            guard let stored = try await operations.operation(id: id, tenant: tenant.name) else {
                throw Problem.notFound("Operation '\(id)'")
            }
            return ProblemResponse.json(stored.operation)
        }
    }
}
