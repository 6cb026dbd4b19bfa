import DRGWCore
import DRGWStore
import Foundation
import Hummingbird

/// Operations of the caller's tenant; another tenant's id answers 404.
struct OperationsController {
    let registry: AccountRegistry
    let operations: any OperationStore
    let waiters: OperationWaiters

    /// Every operation kind the gateway starts.
    static let kinds = Set(GatewayOperation.kinds)

    func addRoutes(to group: RouterGroup<GatewayRequestContext>) {
        group.get("operations") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let list = try ListQuery(request, filters: ["account", "status", "kind", "since", "until"])
            let params = request.uri.queryParameters
            var query = OperationQuery(tenant: tenant.name, cursor: list.cursor, limit: list.limit)
            var errors: [FieldError] = []
            if let account = params["account"].map(String.init) {
                errors += Validation.idErrors(account, field: "account")
                query.accounts = [account]
            }
            let kind = params["kind"].map(String.init)
            if let kind, !Self.kinds.contains(kind) {
                errors.append(FieldError(field: "kind", message: "must be one of \(Self.kinds.sorted().joined(separator: ", "))"))
            }
            var since: Date?
            var until: Date?
            for field in ["since", "until"] {
                guard let text = params[Substring(field)].map(String.init) else { continue }
                guard let date = Timestamp.parseRFC3339(text) else {
                    errors.append(FieldError(field: field, message: "must be an RFC 3339 time in UTC, e.g. 2026-01-31T00:00:00Z"))
                    continue
                }
                if field == "since" { since = date } else { until = date }
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
                // As on /v1/accounts/{account}/…: an account the tenant may not use does not exist for it.
                for account in accounts { _ = try registry.entry(account, for: tenant) }  // 404 unknown, 403 another tenant's
            } else {
                query.accounts = tenant.accounts
            }
            var page = try await operations.list(query)
            // Kind and time filter the page (a page may then hold fewer than `limit` items; follow nextCursor).
            if kind != nil || since != nil || until != nil {
                page.items.removeAll { operation in
                    let created = Timestamp.parseRFC3339(operation.createdAt)
                    if let kind, operation.kind != kind { return true }
                    if let since, let created, created < since { return true }
                    if let until, let created, created >= until { return true }
                    return false
                }
            }
            return ProblemResponse.json(page.answered)
        }
        group.get("operations/:operationId") { request, context in
            guard let tenant = context.tenant else { throw Problem(.unauthenticated, detail: "Not authenticated.") }
            let id = try context.parameters.id("operationId")
            guard var stored = try await operations.operation(id: id, tenant: tenant.name) else {
                throw Problem.notFound("Operation '\(id)'")
            }
            var headers = HTTPFields()
            // `Prefer: wait=N` as on writes: the answer waits until the operation ends or N seconds pass.
            if !stored.operation.status.isTerminal, let wait = WriteCoordinator.preferWait(request.headers[.prefer]), wait > 0 {
                let operations = self.operations
                let tenantName = tenant.name
                await waiters.wait(for: id, seconds: Double(wait)) {
                    (try? await operations.operation(id: id, tenant: tenantName))?.operation.status.isTerminal ?? false
                }
                if let latest = try await operations.operation(id: id, tenant: tenant.name) { stored = latest }
                if stored.operation.status.isTerminal { headers[.preferenceApplied] = "wait=\(wait)" }
            }
            if !stored.operation.status.isTerminal { headers[.retryAfter] = "1" }
            return ProblemResponse.json(stored.operation, headers: headers)
        }
    }
}
