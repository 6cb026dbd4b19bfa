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

    func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in
            ProblemResponse.json(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            if await operations.ping() { return ProblemResponse.json(["status": "ready"]) }
            var headers = HTTPFields()
            headers[.retryAfter] = "2"
            return ProblemResponse.json(["status": "store unavailable"], status: .serviceUnavailable, headers: headers)
        }
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
