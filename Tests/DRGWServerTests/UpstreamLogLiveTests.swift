import DRGWCore
import DRGWTesting
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

@testable import DRGWServer

/// An upstream that stops answering is visible in the logs: once when it starts failing, once
/// when its circuit opens and closes, once when it answers again; and every request line names
/// tenant, account, problem code and operation.
@Suite("Upstream failures in the logs (live gateway)")
struct UpstreamLogLiveTests {
    @Test func failuresAreLoggedOncePerChangeWithWhatAnOperatorNeeds() async throws {
        var options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000555", secretKey: "log-secret-\(UUID().uuidString)", jobSeconds: 0.1)
        let first = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        options.port = first.port
        let restart = options
        var account = HuaweiSDRSPlugin.demoAccount(id: "hw-logs", endpoint: first.endpoint, options: options)
        account.limits = UpstreamLimits(connectTimeout: 1, requestTimeout: 2, maxAttempts: 2, retryBudgetSeconds: 2, baseBackoff: 0.01)
        let key = "logs-key-" + UUID().uuidString
        var config = liveConfig(accounts: [account], tenant: "ops-team", key: key)
        config.breakers = ["hw-logs": BreakerSettings(failureThreshold: 3, openSeconds: 1)]
        let lines = CaptureLogLines()
        let groupPath = "/v1/accounts/hw-logs/protection-groups/\(HuaweiSDRSSimulatorSeed.groupId)"
        try await runGateway(config: config, plugins: [HuaweiSDRSPlugin.self], logger: lines.logger(label: "drgw")) { port, client in
            let gateway = LiveGateway(port: port, key: key, client: client)
            #expect(try await gateway.send("GET", groupPath).status == 200)
            let created = try await gateway.send(
                "POST", "/v1/accounts/hw-logs/drills", json: #"{"name":"log_drill","protectionGroupId":"\#(HuaweiSDRSSimulatorSeed.groupId)"}"#,
                headers: [("Idempotency-Key", "logs-1")])
            let operation = try #require(created.jsonObject["id"] as? String)
            await first.stop()
            for _ in 0..<8 { _ = try await gateway.send("GET", groupPath) }

            let failing = lines.all.filter { $0.contains("upstream failing") }
            #expect(failing.count == 1, "\(failing)")
            #expect(failing.first.map { $0.hasPrefix("warning") && $0.contains("account=hw-logs") && $0.contains("provider=huawei-sdrs") && $0.contains("code=upstream_unavailable") } == true, "\(failing)")
            // Opened at least once; a busy machine may pass the 1 s window, let a probe fail and open it again
            // (each a change of state, each logged once): never more openings than half-opens + 1.
            let opened = lines.all.filter { $0.contains("upstream circuit opened") }.count
            let halfOpen = lines.all.filter { $0.contains("upstream circuit half-open") }.count
            #expect(opened >= 1 && opened <= halfOpen + 1, "\(opened) openings, \(halfOpen) half-opens")

            // Back on the same port: after the cool-down a probe closes the circuit, once logged.
            let again = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: restart)
            defer { Task { await again.stop() } }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, try await gateway.send("GET", groupPath).status != 200 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try await gateway.send("GET", groupPath).status == 200)
            #expect(lines.all.filter { $0.contains("upstream circuit closed") }.count == 1)
            #expect(lines.all.filter { $0.contains("upstream answering again") && $0.contains("account=hw-logs") }.count == 1)

            // Request lines: tenant, account, the problem's code, the operation.
            let requests = lines.all.filter { $0.hasPrefix("info request ") }
            #expect(requests.contains { $0.contains("tenant=ops-team") && $0.contains("account=hw-logs") && $0.contains("code=upstream_unavailable") })
            #expect(requests.contains { $0.contains("method=POST") && $0.contains("operation=\(operation)") })
            // The upstream counters carry the account.
            let metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("drgw_upstream_requests_total{") && $0.contains("account=\"hw-logs\"") })
            // No secret in any line.
            #expect(!lines.all.contains { $0.contains(restart.secretKey) || $0.contains(key) })
        }
    }
}
