import DRGWCore
import DRGWTesting
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Logging
import Testing

@testable import DRGWServer

/// How the poller treats a job: followed for as long as the cloud answers that it runs, and
/// failed with `upstream_timeout` only once it could not be read for the kind's limit, with the
/// poll's state on the operation meanwhile.
@Suite("Operation polling limits (live gateway)")
struct OperationPollingLiveTests {
    @Test func aRunningJobOutlivesTheLimitAndAnUnreadableOneFailsAfterIt() async throws {
        let options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000999", secretKey: "poll-secret-\(UUID().uuidString)", jobSeconds: 3)
        let simulator = try await RunningSimulator.start(HuaweiSDRSPlugin.self, options: options)
        // The cloud "stops answering" when the relay in front of it stops (refused connections fail at
        // once; the request timeout only has to outlast a loaded machine's slowest answer).
        let relay = try await TestTCPRelay.start(targetPort: simulator.port)
        var account = HuaweiSDRSPlugin.demoAccount(id: "hw-poll", endpoint: "http://127.0.0.1:\(relay.port)", options: options)
        account.limits = UpstreamLimits(connectTimeout: 2, requestTimeout: 5, maxAttempts: 1, retryBudgetSeconds: 1, baseBackoff: 0.01)
        let key = "poll-key-" + UUID().uuidString
        var config = liveConfig(accounts: [account], tenant: "poll", key: key)
        config.operations.maxAgeSeconds = 600
        config.operations.maxAgeSecondsByKind = ["drill.create": 2]
        var logger = Logger(label: "poll-tests")
        logger.logLevel = .critical
        let group = HuaweiSDRSSimulatorSeed.groupId
        try await runGateway(config: config, plugins: [HuaweiSDRSPlugin.self], logger: logger) { port, client in
            let gateway = LiveGateway(port: port, key: key, client: client)
            // A 3 s job with a 2 s limit: the cloud answers "running" on every poll, so it is followed to the end.
            let long = try await gateway.send(
                "POST", "/v1/accounts/hw-poll/drills", json: #"{"name":"poll_long","protectionGroupId":"\#(group)"}"#,
                headers: [("Idempotency-Key", "poll-1"), ("Prefer", "wait=20")])
            #expect(long.jsonObject["status"] as? String == "succeeded", "\(long.jsonObject)")
            #expect(long.jsonObject["lastPolledAt"] is String)
            #expect((long.jsonObject["pollAttempts"] as? Int ?? 0) >= 2)
            #expect(long.jsonObject["lastPollError"] == nil)

            // GET of a running operation says when to look again, and honours Prefer: wait.
            let third = try await gateway.send(
                "POST", "/v1/accounts/hw-poll/drills", json: #"{"name":"poll_wait","protectionGroupId":"\#(group)"}"#,
                headers: [("Idempotency-Key", "poll-3")])
            let thirdId = try #require(third.jsonObject["id"] as? String)
            let running = try await gateway.send("GET", "/v1/operations/\(thirdId)")
            #expect(running.jsonObject["status"] as? String == "running")
            #expect(running.header("Retry-After") == "1")
            // The drill's id shows on the operation as soon as a poll of the running job names it.
            var early: [String: Any] = [:]
            let idDeadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < idDeadline {
                early = try await gateway.send("GET", "/v1/operations/\(thirdId)").jsonObject
                if (early["resource"] as? [String: Any])?["id"] is String { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(early["status"] as? String == "running", "the 3 s job ended before its drill id showed: \(early)")
            #expect((early["resource"] as? [String: Any])?["id"] is String, "\(early)")
            let waited = try await gateway.send("GET", "/v1/operations/\(thirdId)", headers: [("Prefer", "wait=20")])
            #expect(waited.jsonObject["status"] as? String == "succeeded", "\(waited.jsonObject)")
            #expect(waited.header("Preference-Applied") == "wait=20")
            #expect(waited.header("Retry-After") == nil)

            // The next create is accepted, then the cloud stops answering.
            let created = try await gateway.send(
                "POST", "/v1/accounts/hw-poll/drills", json: #"{"name":"poll_lost","protectionGroupId":"\#(group)"}"#,
                headers: [("Idempotency-Key", "poll-2")])
            #expect(created.status == 202)
            let id = try #require(created.jsonObject["id"] as? String)
            await relay.stop()
            var sawRunningWithError = false
            var final: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                final = try await gateway.send("GET", "/v1/operations/\(id)").jsonObject
                if final["status"] as? String == "running", let error = final["lastPollError"] as? [String: Any] {
                    sawRunningWithError = sawRunningWithError || error["code"] as? String == "upstream_unavailable"
                }
                if final["status"] as? String != "running" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(sawRunningWithError, "the operation never showed its failing polls while running")
            #expect(final["status"] as? String == "failed")
            #expect((final["error"] as? [String: Any])?["code"] as? String == "upstream_timeout", "\(final)")
            #expect(((final["error"] as? [String: Any])?["detail"] as? String ?? "").contains("could not be read for 2 s"))
        }
        await simulator.stop()
    }

    @Test func endedOperationsAreDeletedAfterTheirRetentionAndReportsStay() async throws {
        let options = SimulatorOptions(port: 0, accessKey: "HPUAEXAMPLEAK0000998", secretKey: "keep-secret-\(UUID().uuidString)", jobSeconds: 0.2)
        try await LiveGateway.withHuawei(account: "hw-keep", options: options, configure: { $0.operations.retentionDays = 4.0 / 86400 }) { gateway, _ in
            let created = try await gateway.send(
                "POST", "/v1/accounts/hw-keep/drills", json: #"{"name":"kept_report","protectionGroupId":"\#(HuaweiSDRSSimulatorSeed.groupId)"}"#,
                headers: [("Idempotency-Key", "keep-1"), ("Prefer", "wait=20")])
            #expect(created.jsonObject["status"] as? String == "succeeded", "\(created.jsonObject)")
            let id = try #require(created.jsonObject["id"] as? String)
            let drillId = try #require((created.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            #expect(try await gateway.send("GET", "/v1/operations/\(id)").status == 200)
            var status = 200
            let deadline = ContinuousClock.now + .seconds(20)
            while status == 200, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                status = try await gateway.send("GET", "/v1/operations/\(id)").status
            }
            #expect(status == 404, "the ended operation was kept past its retention")
            let report = try await gateway.send("GET", "/v1/accounts/hw-keep/drills/\(drillId)/report")
            #expect(report.status == 200)
            #expect((report.jsonObject["operations"] as? [String])?.contains(id) == true)
        }
    }
}
