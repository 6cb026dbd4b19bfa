import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

extension TestHTTPServer {
    static func makeRouter(counters: TestServerCounters) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestCountingMiddleware(counters: counters))
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head] {
            router.on("/echo", method: method) { request, _ in
                try await echo(request)
            }
        }
        router.get("/slow") { request, _ -> String in
            let milliseconds = request.uri.queryParameters.get("ms", as: Int.self) ?? 2000
            try await Task.sleep(for: .milliseconds(milliseconds))
            return "slow"
        }
        router.get("/big") { request, _ -> Response in
            let count = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
            return Response(
                status: .ok,
                body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "a"), count: count))
            )
        }
        router.get("/stream") { request, _ -> Response in
            let count = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
            let chunks = stride(from: 0, to: count, by: 4096).map { start in
                ByteBuffer(repeating: UInt8(ascii: "b"), count: min(4096, count - start))
            }
            return Response(status: .ok, body: ResponseBody(contentsOf: chunks))
        }
        router.get("/redirect") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/echo"])
        }
        router.get("/status/{code}") { _, context -> Response in
            let code = try context.parameters.require("code", as: Int.self)
            return Response(status: .init(code: code))
        }
        return router
    }

    private static func echo(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        var headers = HTTPFields()
        headers[.init("x-echo-method")!] = request.method.rawValue
        headers[.init("x-echo-path")!] = request.uri.description
        headers[.init("x-echo-header-names")!] = request.headers.map { $0.name.canonicalName }.joined(separator: ",")
        for field in request.headers {
            if let name = HTTPField.Name("x-echo-h-" + field.name.canonicalName) {
                headers.append(HTTPField(name: name, value: field.value))
            }
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: body))
    }
}

/// Counts every request the test server answers.
struct RequestCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let counters: TestServerCounters

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        counters.requestServed()
        return try await next(request, context)
    }
}
