import DRGWCore
import DRGWTransport
import Foundation
import Testing

@testable import HuaweiSDRS
@testable import HuaweiSDRSSimulation

@Suite struct HuaweiSDRSSimulatorTests {
    let context = CallContext(requestId: "sim")

    @Test func clockSkewIsRefusedLikeABadSignature() async throws {
        try await SDRSSimulatorHarness.with { h in
            let account = AccountSettings(
                id: "hw", provider: "huawei-sdrs", region: "ap-southeast-3", endpoint: h.endpoint, options: ["projectId": h.simulator.projectId],
                credentials: Credentials(accessKey: SDRSSimulatorHarness.accessKey, secretKey: SDRSSimulatorHarness.secretKey))
            let late = try HuaweiSDRSProvider(account: account, transport: h.transport, clock: { Date().addingTimeInterval(-16 * 60) })
            let problem = await expectProblem(.upstreamAuthFailed) { _ = try await late.protectionGroup(id: h.simulator.seedGroupId, context: context) }
            #expect(problem?.providerCode == "APIGW.0301")
            #expect(problem?.providerMessage?.contains("expired") == true)
            let nearly = try HuaweiSDRSProvider(account: account, transport: h.transport, clock: { Date().addingTimeInterval(-14 * 60) })
            #expect(try await nearly.protectionGroup(id: h.simulator.seedGroupId, context: context).status == .protected)
        }
    }

    @Test func rawAnswersCarryRequestIdsAndAPIGShapes() async throws {
        try await SDRSSimulatorHarness.with { h in
            let unsigned = try await h.transport.send(UpstreamRequest(method: "GET", url: "\(h.endpoint)/v1/\(h.simulator.projectId)/server-groups"))
            #expect(unsigned.status == 401)
            #expect(unsigned.header("X-Request-Id")?.isEmpty == false)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(unsigned.body)) as? [String: String])
            #expect(body["error_code"] == "APIGW.0301")
            #expect(body["request_id"] == unsigned.header("X-Request-Id")?.trimmingCharacters(in: .whitespacesAndNewlines))

            // A signed request to an unknown route.
            let provider = try h.provider()
            var request = provider.prepare("GET", "/no-such-thing", query: [], body: nil, context: context)
            let missing = try await h.transport.send(request)
            #expect(missing.status == 404)
            #expect(HuaweiErrorParser.parse(body: missing.body).code == "APIGW.0101")

            // A wrong action key.
            request = provider.prepare(
                "POST", "/server-groups/\(h.simulator.seedGroupId)/action", query: [], body: Array(#"{"explode-server-group": {}}"#.utf8),
                context: context)
            let invalid = try await h.transport.send(request)
            #expect(invalid.status == 400)
            #expect(HuaweiErrorParser.parse(body: invalid.body).code == "SDRS.0206")
            #expect(h.simulator.requestLog.all.map(\.action) == ["listServerGroups", "unknown", "serverGroupAction"])
            #expect(h.simulator.requestLog.all.allSatisfy { $0.remotePort != nil })
        }
    }

    @Test func seedSummaryNamesTheSeededIds() async throws {
        try await SDRSSimulatorHarness.with { h in
            let text = h.simulator.seedSummary.joined(separator: "\n")
            #expect(text.contains(h.simulator.projectId))
            #expect(text.contains(h.simulator.domainId))
            #expect(text.contains(h.simulator.seedGroupId))
            let provider = try h.provider()
            let groups = try await provider.listProtectionGroups(cursor: nil, limit: 100, context: context)
            #expect(groups.items.map(\.id) == [h.simulator.seedGroupId])
            #expect(groups.items.first?.memberCount == 1)
            #expect(groups.items.first?.status == .protected)
        }
    }

    @Test func faultsNeverMakeADuplicate() async throws {
        try await SDRSSimulatorHarness.with(faultRate: 1.0, seed: 99) { h in
            let provider = try h.provider(limits: UpstreamLimits(requestTimeout: 10, maxAttempts: 1))
            let seed = h.simulator.seedGroupId
            // Reads of the group are faulted too; create through the world to isolate the write path.
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let body = Array(#"{"disaster_recovery_drill":{"name":"f\#(index)","server_group_id":"\#(seed)"}}"#.utf8)
                        let request = provider.prepare("POST", "/disaster-recovery-drills", query: [], body: body, context: context)
                        _ = try? await h.transport.send(request)
                    }
                }
            }
            let log = h.requests("createDrill")
            #expect(log.count == 8)
            #expect(log.contains { $0.status != 200 })
            let made = h.simulator.world.withLock { $0.drills.count }
            #expect(made == log.filter { $0.status == 200 }.count)
            #expect(Set(log.map(\.status)).isSubset(of: [0, 200, 429, 500]))
        }
    }

    @Test func worldStateRules() throws {
        let now = Date()
        var world = SDRSSimulatorWorld(projectId: "p", region: "r", jobSeconds: 10, seed: 1, now: now)
        let seed = world.seedGroupId
        _ = try world.createDrill(.init(serverGroupId: seed, name: "d", drillVpcId: nil), now: now)
        let drillId = try #require(world.drills.keys.first)
        #expect(faultCode { _ = try world.deleteDrill(drillId, now: now) } == "SDRS.1913")
        #expect(faultCode { _ = try world.deleteGroup(seed, now: now) } == "SDRS.1003")
        #expect(faultCode { _ = try world.createDrill(.init(serverGroupId: seed, name: "bad name", drillVpcId: nil), now: now) } == "SDRS.0202")
        #expect(faultCode { _ = try world.listGroups(query: ["limit": "-1"]) } == "SDRS.0221")
        #expect(faultCode { _ = try world.listGroups(query: ["offset": "x"]) } == "SDRS.0222")
        #expect(faultCode { _ = try world.drill("nope") } == "SDRS.1902")
        #expect(faultCode { _ = try world.group("nope") } == "SDRS.1013")

        let job = try world.act(on: seed, body: ["failover-server-group": [String: Any]()], now: now)
        #expect(try world.group(seed).status == "failing-over")
        #expect(faultCode { _ = try world.createDrill(.init(serverGroupId: seed, name: "d2", drillVpcId: nil), now: now) } == "SDRS.0209")
        #expect(try world.jobJSON(job, now: now)["status"] as? String == "INIT")
        #expect(try world.jobJSON(job, now: now.addingTimeInterval(5))["status"] as? String == "RUNNING")
        world.advance(now: now.addingTimeInterval(11))
        #expect(try world.jobJSON(job, now: now.addingTimeInterval(11))["status"] as? String == "SUCCESS")
        #expect(try world.group(seed).status == "failed-over")
        #expect(try world.group(seed).priorityStation == "target")
        #expect(try world.drill(drillId).status == "available")
    }

    /// The SDRS code `body` fails with, or nil when it succeeds.
    func faultCode(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let fault as SDRSFault {
            return fault.code
        } catch {
            return "\(error)"
        }
    }
}
