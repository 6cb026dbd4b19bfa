import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import DRGWServer
import DRGWTesting
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

/// Ids made to climb out of their path segment (`../`, `%2F`, `%2e%2e`, double encoding,
/// control characters, CRLF) are refused with a 4xx problem before any upstream call: the
/// simulators' request logs stay free of them. Sent byte for byte over a raw socket, so no
/// client library normalises them first.
@Suite("Security: path injection")
struct SecurityPathInjectionTests {
    static let bearer = "sec-path-" + UUID().uuidString

    static func request(_ method: String, _ target: String, body: String? = nil) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(bearer)\r\n"
        text += "Idempotency-Key: path-\(UUID().uuidString)\r\nConnection: close\r\n"
        if let body {
            text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            text += "Content-Length: 0\r\n\r\n"
        }
        return Array(text.utf8)
    }

    /// Every upstream path and query the simulators saw.
    static func upstreamTargets(_ simulators: [RunningSimulator]) -> [String] {
        simulators.flatMap { $0.simulator.requestLog.all.map { $0.path + "?" + $0.query + " " + String(decoding: $0.body, as: UTF8.self) } }
    }

    @Test(.timeLimit(.minutes(2)))
    func traversalAndControlCharactersInIdsNeverReachUpstream() async throws {
        let options = SimulatorOptions(accessKey: "SECPATHAK0001", secretKey: "secPathSecret0123456789", jobSeconds: 0.05)
        let huawei = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        let alibaba = try await RunningSimulator.start(AlibabaEBSPlugin.self, options: options)
        var config = GatewayConfig()
        config.rateLimit.requestsPerSecond = 10_000
        config.rateLimit.burst = 10_000
        config.rateLimit.failedAuthPerSecond = 10_000
        config.rateLimit.failedAuthBurst = 10_000
        config.accounts = [
            HuaweiSDRSPlugin.demoAccount(id: "hw", endpoint: huawei.endpoint, options: options),
            AlibabaEBSPlugin.demoAccount(id: "ali", endpoint: alibaba.endpoint, options: options),
        ]
        config.tenants = [GatewayConfig.Tenant(name: "path", apiKeySha256: [Digest.sha256Hex(Self.bearer)], accounts: ["hw", "ali"])]
        var logger = Logger(label: "sec-path")
        logger.logLevel = .critical
        let huaweiGroup = (huawei.simulator as? HuaweiSDRSSimulator)?.seedGroupId ?? ""
        let hostile: [(String, String, String?)] = [
            ("GET", "/v1/accounts/hw/drills/..%2F..%2Fserver-groups", nil),
            ("GET", "/v1/accounts/hw/drills/..%2f..%2fserver-groups", nil),
            ("DELETE", "/v1/accounts/hw/drills/%2e%2e", nil),
            ("DELETE", "/v1/accounts/hw/drills/%2E%2E%2F%2E%2E%2Fserver-groups%2F\(huaweiGroup)", nil),
            ("GET", "/v1/accounts/hw/protection-groups/..%252F..%252Fserver-groups", nil),
            ("GET", "/v1/accounts/hw/protection-groups/\(huaweiGroup)%2F..%2F..%2Fjobs", nil),
            ("POST", "/v1/accounts/hw/protection-groups/..%2F\(huaweiGroup)/failover", "{}"),
            ("POST", "/v1/accounts/hw/protection-groups/%2e%2e%2f\(huaweiGroup)/start", "{}"),
            ("GET", "/v1/accounts/hw/drills/a%00b", nil),
            ("GET", "/v1/accounts/hw/drills/a%0d%0aX-Injected:%201", nil),
            ("GET", "/v1/accounts/hw/drills/a%09b", nil),
            ("GET", "/v1/accounts/hw/drills/a%7Fb", nil),
            ("GET", "/v1/accounts/hw/drills/%E2%80%AEevil", nil),
            ("GET", "/v1/accounts/hw/drills/bad%zz", nil),
            ("GET", "/v1/accounts/hw/drills?protectionGroupId=..%2F..%2Fserver-groups", nil),
            ("GET", "/v1/accounts/hw/drills?protectionGroupId=a%0d%0ab", nil),
            ("GET", "/v1/accounts/..%2Fhw/drills", nil),
            ("GET", "/v1/accounts/hw%2F..%2Fali/drills", nil),
            ("GET", "/v1/operations/..%2F..%2Fetc%2Fpasswd", nil),
            ("POST", "/v1/accounts/hw/drills", #"{"name":"dr_drill_test","protectionGroupId":"../../server-groups"}"#),
            ("POST", "/v1/accounts/hw/drills", #"{"name":"dr_drill_test","protectionGroupId":"%2e%2e%2fx"}"#),
            ("POST", "/v1/accounts/hw/drills", #"{"name":"dr_drill_test","protectionGroupId":"\#(huaweiGroup)","drillNetworkId":"a/../b"}"#),
            ("GET", "/v1/accounts/ali/protection-groups/..%2F..%2F", nil),
            ("DELETE", "/v1/accounts/ali/drills/%2e%2e%2F%2e%2e", nil),
            ("POST", "/v1/accounts/ali/protection-groups/pg%26Action%3DDeleteDiskReplicaGroup/stop", "{}"),
            ("POST", "/v1/accounts/ali/drills", #"{"name":"dr_drill_test","protectionGroupId":"x&Action=DeleteDiskReplicaPair"}"#),
            // Literal dot segments and raw bytes no client library would send as they are.
            ("GET", "/v1/accounts/hw/drills/../../server-groups", nil),
            ("GET", "/v1/accounts/hw/protection-groups/./../drills", nil),
            ("DELETE", "/v1/accounts/hw/drills/..", nil),
            ("GET", "/v1/accounts/hw/drills/a\u{01}b", nil),
        ]
        do {
            try await SecurityGateway.with(config: config, plugins: [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self], logger: logger) { gateway in
                for (method, target, body) in hostile {
                    let answer = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Self.request(method, target, body: body))
                    #expect((400..<500).contains(answer.status), "\(method) \(target) → \(answer.raw.prefix(300))")
                    // A raw control byte in the request line is refused by SwiftNIO's HTTP parser before
                    // any route runs; the gateway's ProtocolErrorHandler still answers problem+json.
                    #expect(answer.header("Content-Type") == "application/problem+json", "\(method) \(target) → \(answer.raw.prefix(300))")
                    #expect(answer.header("X-Injected") == nil)
                }
                let seen = Self.upstreamTargets([huawei, alibaba])
                #expect(seen.isEmpty, "hostile ids reached upstream: \(seen.prefix(5))")
                // The log records what does go upstream, so the emptiness above means something.
                let fine = try await SecurityRawHTTPClient.exchange(
                    port: gateway.port, request: Self.request("GET", "/v1/accounts/hw/protection-groups/\(huaweiGroup)"))
                #expect(fine.status == 200)
                // `%3A` is `:`, a legal id character: decoded, not refused.
                let colon = try await SecurityRawHTTPClient.exchange(port: gateway.port, request: Self.request("GET", "/v1/accounts/hw/drills/a%3Ab"))
                #expect(colon.status == 404 || colon.status == 200, "\(colon.raw.prefix(300))")
            }
        } catch {
            await huawei.stop()
            await alibaba.stop()
            throw error
        }
        let seen = Self.upstreamTargets([huawei, alibaba])
        await huawei.stop()
        await alibaba.stop()
        #expect(!seen.isEmpty)
        for target in seen {
            #expect(!target.contains(".."), "\(target)")
            #expect(!target.lowercased().contains("%2f") && !target.lowercased().contains("%2e"), "\(target)")
            #expect(!target.unicodeScalars.contains { $0.value < 0x20 }, "\(target)")
        }
    }
}
