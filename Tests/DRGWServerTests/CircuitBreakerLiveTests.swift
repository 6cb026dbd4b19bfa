import DRGWCore
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

@testable import DRGWServer

@Suite("Circuit breaker over real sockets")
struct CircuitBreakerLiveTests {
    static let accessKey = "HPUAEXAMPLEAK0000777"
    static let secretKey = "breakerSecretKey/0123456789abcdefghijklmnopq"

    @Test func openCircuitAnswersFastUntilTheProbeSucceedsAfterTheUpstreamReturns() async throws {
        var options = SimulatorOptions(
            port: 0, accessKey: Self.accessKey, secretKey: Self.secretKey, jobSeconds: 0.05, randomSeed: 11)
        let first = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        let port = first.port
        options.port = port
        let restart = options
        let accountId = "hw-breaker-" + UUID().uuidString.prefix(8).lowercased()
        var account = HuaweiSDRSPlugin.demoAccount(id: accountId, endpoint: "http://127.0.0.1:\(port)", options: options)
        account.limits = UpstreamLimits(connectTimeout: 1, requestTimeout: 5, maxAttempts: 4, retryBudgetSeconds: 5, baseBackoff: 0.01)
        let threshold = 3
        // Long enough that the 20 answers below all come while the circuit is open, even on a busy machine.
        let openSeconds = 8.0
        let groupPath = "/v1/accounts/\(accountId)/protection-groups/\(HuaweiSDRSSimulatorSeed.groupId)"

        try await LiveGateway.with(
            accounts: [account], plugins: [HuaweiSDRSPlugin.self],
            breakers: [accountId: BreakerSettings(failureThreshold: threshold, openSeconds: openSeconds)]
        ) { gateway in
            let healthy = try await gateway.send("GET", groupPath)
            #expect(healthy.status == 200)
            await first.stop()

            // The simulator is gone: the adapter's own retries trip the breaker, whose refusal ends them.
            let down = try await gateway.send("GET", groupPath)
            #expect(down.status == 503)
            #expect(down.jsonObject["code"] as? String == "upstream_unavailable")

            var metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            let connectFailed = Self.connectFailed + ["account=\"\(accountId)\""]
            let connectFailuresBefore = Self.sample(metrics, "drgw_upstream_requests_total", connectFailed)
            #expect(connectFailuresBefore != nil)

            var durations: [Duration] = []
            for _ in 0..<20 {
                let started = ContinuousClock.now
                let answer = try await gateway.send("GET", groupPath)
                durations.append(started.duration(to: .now))
                #expect(answer.status == 503)
                #expect(answer.jsonObject["code"] as? String == "upstream_unavailable")
                #expect((answer.jsonObject["detail"] as? String)?.contains("circuit") == true)
                let retryAfter = answer.header("Retry-After").flatMap(Int.init)
                #expect(retryAfter != nil && retryAfter! >= 1 && retryAfter! <= Int(openSeconds.rounded(.up)))
                if answer.status != 503 { break }
            }
            durations.sort()
            let median = durations[durations.count / 2]
            print("open-circuit answers over HTTP: median \(median), slowest \(durations.last!) of \(durations.count)")
            // An open circuit answers without waiting for the upstream's 2 s answer; the bound is far
            // from both, since other test processes share the 2 cores.
            #expect(median < .milliseconds(500))
            #expect(durations.last! < .milliseconds(1500))

            metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            // The open circuit answered without a single connection attempt (this account's counter:
            // other tests in the process fail connections on the same action).
            #expect(Self.sample(metrics, "drgw_upstream_requests_total", connectFailed) == connectFailuresBefore)
            #expect(Self.sample(metrics, "drgw_upstream_breaker_state", ["account=\"\(accountId)\""]) == 2)
            #expect((Self.sample(metrics, "drgw_upstream_requests_total", ["outcome=\"circuit_open\"", "provider=\"huawei-sdrs\""]) ?? 0) >= 20)

            // The upstream comes back on the same port; after the cool-down one probe closes the circuit.
            let simulator = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: restart)
            #expect(simulator.simulator.requestLog.all.isEmpty)
            #expect(simulator.port == port)
            let deadline = ContinuousClock.now + .seconds(25)
            var last = 0
            while ContinuousClock.now < deadline {
                last = try await gateway.send("GET", groupPath).status
                if last == 200 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(last == 200)
            // Only the probe reached the simulator: everything before it was answered by the open circuit.
            let probes = simulator.simulator.requestLog.all.count
            #expect(probes == 1)
            let after = try await gateway.send("GET", groupPath)
            #expect(after.status == 200)

            metrics = String(decoding: try await gateway.get("/metrics").body, as: UTF8.self)
            #expect(Self.sample(metrics, "drgw_upstream_breaker_state", ["account=\"\(accountId)\""]) == 0)
            #expect(
                (Self.sample(
                    metrics, "drgw_upstream_requests_total",
                    ["provider=\"huawei-sdrs\"", "action=\"GET /v1/{project}/server-groups/{id}\"", "outcome=\"2xx\""]) ?? 0) >= 2)
            #expect(metrics.contains("drgw_upstream_request_duration_seconds"))
            await simulator.stop()
        }
    }

    static let connectFailed = [
        "outcome=\"connect_failed\"", "provider=\"huawei-sdrs\"", "action=\"GET /v1/{project}/server-groups/{id}\"",
    ]

    /// The summed value of the samples of `name` whose labels contain every fragment.
    static func sample(_ text: String, _ name: String, _ fragments: [String]) -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard fragments.allSatisfy({ line.contains($0) }), let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { continue }
            total = (total ?? 0) + value
        }
        return total
    }
}

/// The seeded Huawei group id, read from a throwaway simulator so the test follows the seed.
enum HuaweiSDRSSimulatorSeed {
    static let groupId: String = HuaweiSDRSSimulator(options: SimulatorOptions(accessKey: "a", secretKey: "b")).seedGroupId
}
