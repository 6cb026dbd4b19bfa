import DRGWStore
import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json` (no authentication).
struct SystemController {
    let operations: any OperationStore
    let registry: PrometheusCollectorRegistry
    let openAPI: [UInt8]

    private func health() -> Response { ProblemResponse.json(["status": "ok"]) }

    private func readiness() async -> Response {
        if await operations.ping() { return ProblemResponse.json(["status": "ready"]) }
        var headers = HTTPFields()
        headers[.retryAfter] = "2"
        return ProblemResponse.json(["status": "store unavailable"], status: .serviceUnavailable, headers: headers)
    }

    /// The GET answer's status and headers without its body (a HEAD probe from a load balancer).
    private static func headOnly(_ response: Response) -> Response {
        Response(status: response.status, headers: response.headers, body: .init())
    }

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in health() }
        router.head("/healthz") { _, _ in Self.headOnly(health()) }
        router.get("/readyz") { _, _ in await readiness() }
        router.head("/readyz") { _, _ in Self.headOnly(await readiness()) }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: openAPI)))
        }
    }
}
