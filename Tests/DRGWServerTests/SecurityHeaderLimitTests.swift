import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Logging
import Testing

/// Oversized and hostile headers: the gateway never crashes and never answers 5xx; what it
/// answers is pinned here. Hummingbird's HTTP/1 channel (2.x defaults) limits one header field
/// to 80 KiB, all headers to 80 KiB and their count to 1000; past those, SwiftNIO's parser
/// refuses the request before any route runs, and the gateway's `ProtocolErrorHandler` answers
/// `431` problem+json (`headers_too_large`) and closes the connection. Below them, headers the
/// gateway reads get a 4xx problem.
@Suite("Security: header limits")
struct SecurityHeaderLimitTests {
    static let bearer = "sec-header-" + UUID().uuidString

    static func request(_ method: String, _ path: String, headers: [String]) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n"
        for header in headers { text += header + "\r\n" }
        return Array((text + "\r\n").utf8)
    }

    @Test(.timeLimit(.minutes(1)))
    func hugeHeadersNeverCrashOrAnswer5xx() async throws {
        var config = GatewayConfig()
        config.accounts = [AccountSettings(id: "hdr-acct", provider: "fake", region: "local-1", credentials: Credentials())]
        config.tenants = [GatewayConfig.Tenant(name: "hdr", apiKeySha256: [Digest.sha256Hex(Self.bearer)], accounts: ["hdr-acct"])]
        var logger = Logger(label: "sec-header")
        logger.logLevel = .critical
        let big = String(repeating: "a", count: 64 * 1024)
        let auth = "Authorization: Bearer \(Self.bearer)"
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: logger) { gateway in
            func send(_ method: String, _ path: String, _ headers: [String]) async throws -> SecurityRawHTTPClient.Answer {
                try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Self.request(method, path, headers: headers))
            }
            // A 64 KiB header nobody reads: the route answers as usual.
            let unused = try await send("GET", "/healthz", ["X-Big: \(big)"])
            print("64 KiB unused header on /healthz → \(unused.status)")
            #expect(unused.status == 200 || (400..<500).contains(unused.status))
            // Many headers.
            let many = try await send("GET", "/healthz", (0..<2000).map { "X-H\($0): v" })
            print("2000 headers on /healthz → \(many.status) \(many.header("Content-Type") ?? "no Content-Type"), body \(many.body.utf8.count) bytes")
            #expect(many.status == 431)
            #expect(many.header("Content-Type") == "application/problem+json")
            #expect(many.body.contains("\"code\":\"headers_too_large\""))
            // 64 KiB in headers the gateway does read: refused as a problem, never echoed.
            let hugeKey = try await send("GET", "/v1/accounts", ["Authorization: Bearer \(big)"])
            #expect(hugeKey.status == 401)
            #expect(hugeKey.header("Content-Type") == "application/problem+json")
            #expect(!hugeKey.body.contains(big.prefix(1024)))
            let hugeRequestId = try await send("GET", "/healthz", ["X-Request-Id: \(big)"])
            #expect(hugeRequestId.status == 200)
            #expect(hugeRequestId.header("X-Request-Id").map { $0.count <= 128 } == true)
            let hugeIdempotency = try await send(
                "DELETE", "/v1/accounts/hdr-acct/drills/d-1", [auth, "Idempotency-Key: \(big)"])
            #expect(hugeIdempotency.status == 400)
            #expect(hugeIdempotency.header("Content-Type") == "application/problem+json")
            let hugePrefer = try await send("DELETE", "/v1/accounts/hdr-acct/drills/d-1", [auth, "Prefer: wait=\(big)"])
            #expect(hugePrefer.status == 202 || hugePrefer.status == 404, "\(hugePrefer.raw.prefix(300))")
            let hugeTrace = try await send("GET", "/v1/accounts/hdr-acct/drills", [auth, "traceparent: \(big)"])
            #expect(hugeTrace.status == 200, "\(hugeTrace.raw.prefix(300))")
            // 1 MiB of header: whatever the HTTP layer does, the process survives and is not 5xx.
            let huge = try await send("GET", "/healthz", ["X-Huge: " + String(repeating: "b", count: 1 << 20)])
            print("1 MiB header on /healthz → \(huge.status == 0 ? "connection closed without an answer" : String(huge.status)) \(huge.header("Content-Type") ?? "no Content-Type")")
            #expect(huge.status == 431)
            #expect(huge.header("Content-Type") == "application/problem+json")
            #expect(!huge.body.contains("bbbb"))
            // Still alive and correct afterwards.
            let after = try await gateway.send("GET", "/v1/accounts", key: Self.bearer)
            #expect(after.status == 200)
        }
    }
}
