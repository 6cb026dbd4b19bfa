import DRGWCore
import Hummingbird

/// Registers a 405 answer for every method a known path does not take, with `Allow`.
enum MethodGuard {
    static let routes: [(path: String, methods: [HTTPRequest.Method])] = {
        var list: [(String, [HTTPRequest.Method])] = [
            ("/healthz", [.get, .head]), ("/readyz", [.get, .head]), ("/metrics", [.get]), ("/openapi.json", [.get]),
            ("/v1/accounts", [.get]),
            ("/v1/accounts/:account/protection-groups", [.get, .post]),
            ("/v1/accounts/:account/protection-groups/:groupId", [.get, .delete]),
            ("/v1/accounts/:account/drills", [.get, .post]),
            ("/v1/accounts/:account/drills/:drillId", [.get, .delete]),
            ("/v1/operations", [.get]),
            ("/v1/operations/:operationId", [.get]),
            ("/v1/accounts/:account/drills/:drillId/report", [.get]),
            ("/v1/accounts/:account/drills/:drillId/result", [.post]),
            ("/v1/reports", [.get]),
            ("/v1/schedules", [.get, .post]),
            ("/v1/schedules/:scheduleId", [.get, .delete]),
            ("/v1/schedules/:scheduleId/run", [.post]),
        ]
        for action in ProtectionGroupAction.allCases {
            list.append(("/v1/accounts/:account/protection-groups/:groupId/\(action.rawValue)", [.post]))
        }
        return list
    }()

    static let allMethods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options, .trace]

    /// The `Allow` value when `path` is a known route that does not take `method`; this covers
    /// methods no route registers (e.g. `QUERY`), which the router answers with a bare 404.
    static func allow(forPath path: String, method: HTTPRequest.Method) -> String? {
        let segments = path.split(separator: "/")
        for route in routes {
            let pattern = route.path.split(separator: "/")
            guard pattern.count == segments.count,
                zip(pattern, segments).allSatisfy({ $0.hasPrefix(":") || $0 == $1 })
            else { continue }
            return route.methods.contains(method) ? nil : route.methods.map(\.rawValue).joined(separator: ", ")
        }
        return nil
    }

    static func addRoutes(to router: Router<GatewayRequestContext>) {
        for route in routes {
            let allow = route.methods.map(\.rawValue).joined(separator: ", ")
            for method in allMethods where !route.methods.contains(method) {
                router.on(RouterPath(route.path), method: method) { _, _ -> Response in
                    throw MethodNotAllowed(allow: allow)
                }
            }
        }
    }
}
