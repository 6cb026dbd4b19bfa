import AlibabaEBS
import AlibabaEBSSimulation
import DRGWCore
import Foundation
import HuaweiSDRS
import HuaweiSDRSSimulation
import Testing

/// Idempotency and `Prefer: wait` against the real simulators, counted in their request logs.
@Suite("Idempotency against the simulators")
struct IdempotencyLiveTests {
    static let plugins: [any ProviderPlugin.Type] = [HuaweiSDRSPlugin.self, AlibabaEBSPlugin.self]

    /// Creates of a drill as the simulator names them.
    static let createActions: Set<String> = ["createDrill", "StartPairDrill", "StartReplicaGroupDrill"]

    static func firstProtectedGroup(_ gateway: LiveGateway) async throws -> String {
        let list = try await gateway.send("GET", "/v1/accounts/acct/protection-groups")
        let items = list.jsonObject["items"] as? [[String: Any]] ?? []
        let group = items.first { ($0["status"] as? String) == "protected" }
        return try #require(group?["id"] as? String)
    }

    @Test("64 concurrent requests with one key make exactly one upstream create", arguments: [0, 1])
    func concurrentOneKey(index: Int) async throws {
        let plugin = Self.plugins[index]
        var options = SimulatorOptions(accessKey: "IDEMLIVEAK00000001", secretKey: "idem-live-\(UUID().uuidString)", jobSeconds: 0.5)
        // Hold the one create's answer so that the other 63 arrive while it is in flight.
        options.holdAction = index == 0 ? "createDrill" : "StartReplicaGroupDrill"
        options.holdSeconds = 0.5
        let simulator = try await RunningSimulator.start(plugin, options: options)
        let account = plugin.demoAccount(id: "acct", endpoint: simulator.endpoint, options: options)
        try await LiveGateway.with(accounts: [account], plugins: Self.plugins) { gateway in
            let groupId = try await Self.firstProtectedGroup(gateway)
            let body = #"{"name":"concurrent_drill","protectionGroupId":"\#(groupId)"}"#
            let answers = try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        let r = try await gateway.send("POST", "/v1/accounts/acct/drills", json: body, headers: [("Idempotency-Key", "one-key")])
                        return (r.status, r.jsonObject["id"] as? String, r.jsonObject["code"] as? String)
                    }
                }
                var all: [(Int, String?, String?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            let creates = simulator.simulator.requestLog.filter { Self.createActions.contains($0.action ?? "") }
            #expect(creates.count == 1, "upstream creates: \(creates.count)")
            let accepted = answers.filter { $0.0 == 202 }
            #expect(!accepted.isEmpty)
            #expect(Set(accepted.compactMap(\.1)).count == 1, "every 202 names the same operation")
            for answer in answers where answer.0 != 202 {
                #expect(answer.0 == 409 && answer.2 == "idempotency_key_in_use", "unexpected answer \(answer)")
            }
            // Once finished, the key replays the stored answer.
            let replay = try await gateway.send("POST", "/v1/accounts/acct/drills", json: body, headers: [("Idempotency-Key", "one-key")])
            #expect(replay.status == 202)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.jsonObject["id"] as? String == accepted.first?.1)
            // The stored 202 still says running; Location and Link lead to the operation as it is now.
            let operationPath = "/v1/operations/\(accepted.first?.1 ?? "")"
            #expect(replay.header("Location") == operationPath)
            #expect(replay.header("Link") == "<\(operationPath)>; rel=\"monitor\"")
            let now = try await gateway.send("GET", operationPath, headers: [("Prefer", "wait=20")])
            #expect(now.jsonObject["status"] as? String == "succeeded", "\(now.jsonObject)")
            // Another body with the same key: 422, nothing sent upstream.
            let other = try await gateway.send(
                "POST", "/v1/accounts/acct/drills", json: #"{"name":"other_drill","protectionGroupId":"\#(groupId)"}"#,
                headers: [("Idempotency-Key", "one-key")])
            #expect(other.status == 422)
            #expect(other.jsonObject["code"] as? String == "idempotency_key_reused")
            #expect(simulator.simulator.requestLog.filter { Self.createActions.contains($0.action ?? "") }.count == 1)
        }
        await simulator.stop()
    }

    @Test("Prefer: wait=30 with 2-second jobs answers 200 succeeded with Preference-Applied", arguments: [0, 1])
    func preferWait(index: Int) async throws {
        let plugin = Self.plugins[index]
        let options = SimulatorOptions(accessKey: "WAITLIVEAK00000001", secretKey: "wait-live-\(UUID().uuidString)", jobSeconds: 2)
        let simulator = try await RunningSimulator.start(plugin, options: options)
        let account = plugin.demoAccount(id: "acct", endpoint: simulator.endpoint, options: options)
        try await LiveGateway.with(accounts: [account], plugins: Self.plugins) { gateway in
            let groupId = try await Self.firstProtectedGroup(gateway)
            let started = ContinuousClock.now
            let response = try await gateway.send(
                "POST", "/v1/accounts/acct/drills", json: #"{"name":"wait_drill","protectionGroupId":"\#(groupId)"}"#,
                headers: [("Prefer", "wait=30")])
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 200, "answer: \(response.status) \(response.jsonObject)")
            #expect(response.jsonObject["status"] as? String == "succeeded")
            #expect(response.header("Preference-Applied") == "wait=30")
            #expect(elapsed >= .seconds(1), "the job takes about 2 s, so the answer cannot be immediate")
            let drillId = try #require((response.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            let drill = try await gateway.send("GET", "/v1/accounts/acct/drills/\(drillId)")
            #expect(drill.status == 200)
            #expect(drill.jsonObject["status"] as? String == "ready")
        }
        await simulator.stop()
    }
}
