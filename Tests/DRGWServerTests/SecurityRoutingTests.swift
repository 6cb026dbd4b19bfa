import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import Logging
import Testing

/// Methods no route names answer 405 with `Allow` (not a bare 404), and path ids are
/// percent-decoded before validation, so `%3A` is `:` while `%2F` stays refused.
@Suite("Security: methods and encoded ids")
struct SecurityRoutingTests {
    static let bearer = "sec-routing-" + UUID().uuidString

    static func request(_ method: String, _ path: String) -> [UInt8] {
        Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(bearer)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".utf8)
    }

    @Test func unknownMethodsOnKnownPathsAre405WithAllow() async throws {
        var config = GatewayConfig()
        config.accounts = [AccountSettings(id: "route-acct", provider: "fake", region: "local-1", credentials: Credentials())]
        config.tenants = [GatewayConfig.Tenant(name: "route", apiKeySha256: [Digest.sha256Hex(Self.bearer)], accounts: ["route-acct"])]
        var logger = Logger(label: "sec-routing")
        logger.logLevel = .critical
        try await SecurityGateway.with(config: config, plugins: [FakePlugin.self], logger: logger) { gateway in
            let cases: [(String, String, String?)] = [
                ("QUERY", "/healthz", "GET, HEAD"),
                ("TRACE", "/v1/accounts", "GET"),
                ("QUERY", "/v1/accounts/route-acct/drills/d-1", "GET, DELETE"),
                ("PROPFIND", "/v1/accounts/route-acct/protection-groups/pg-1/failover", "POST"),
                ("QUERY", "/v1/operations", "GET"),
                ("QUERY", "/v2/nothing", nil),
            ]
            for (method, path, allow) in cases {
                let answer = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Self.request(method, path))
                #expect(answer.status == (allow == nil ? 404 : 405), "\(method) \(path) → \(answer.raw.prefix(200))")
                #expect(answer.header("Content-Type") == "application/problem+json")
                #expect(answer.header("Allow") == allow)
            }
            // `%3A` decodes to `:` (a legal id character); the decoded id is the one looked up.
            let colon = try await gateway.send("GET", "/v1/accounts/route-acct/drills/a%3Ab", key: Self.bearer)
            #expect(colon.status == 404)
            #expect((colon.jsonObject["detail"] as? String)?.contains("a:b") == true, "\(colon.wireText)")
            let account = try await gateway.send("GET", "/v1/accounts/route%2Dacct/drills", key: Self.bearer)
            #expect(account.status == 200, "\(account.wireText)")
            for bad in ["a%2Fb", "%2e%2e", "a%00b", "a%zzb", "%252e%252e"] {
                let refused = try await gateway.send("GET", "/v1/accounts/route-acct/drills/\(bad)", key: Self.bearer)
                #expect(refused.status == 400, "\(bad) → \(refused.wireText)")
                #expect((refused.jsonObject["errors"] as? [[String: Any]])?.first?["field"] as? String == "drillId")
            }
        }
    }
}
