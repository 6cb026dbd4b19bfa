import AWSDRS
import AWSDRSSimulation
import DRGWCore
import DRGWTesting
import Foundation
import Testing

/// The AWS DRS adapter behind a real gateway, against `drgw simulate aws-drs`'s simulator, over HTTP.
@Suite("AWS DRS through the gateway (live)")
struct AWSDRSLiveTests {
    static func options(jobSeconds: Double = 0.3) -> SimulatorOptions {
        SimulatorOptions(accessKey: "AKIAAWSLIVETEST00001", secretKey: "aws-live-\(UUID().uuidString)", jobSeconds: jobSeconds)
    }

    /// A simulator and a gateway with one AWS account `acct`; the simulator stops after the gateway.
    static func withGateway(
        options: SimulatorOptions, account configure: (inout AccountSettings) -> Void = { _ in },
        _ body: @Sendable (LiveGateway, AWSDRSSimulator) async throws -> Void
    ) async throws {
        let running = try await RunningSimulator.start(AWSDRSPlugin.self, options: options)
        var account = AWSDRSPlugin.demoAccount(id: "acct", endpoint: running.endpoint, options: options)
        account.limits = UpstreamLimits(connectTimeout: 1, requestTimeout: 5, maxAttempts: 2, retryBudgetSeconds: 2, baseBackoff: 0.01)
        configure(&account)
        let simulator = try #require(running.simulator as? AWSDRSSimulator)
        do {
            try await LiveGateway.with(accounts: [account], plugins: [AWSDRSPlugin.self]) { gateway in
                try await body(gateway, simulator)
            }
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    static func actions(_ simulator: AWSDRSSimulator, _ name: String) -> [RecordedRequest] {
        simulator.requestLog.filter { $0.action == name }
    }

    @Test("drill: create → ready → delete; the delete ends only when DescribeRecoveryInstances no longer lists the instances")
    func drillRoundTrip() async throws {
        try await Self.withGateway(options: Self.options()) { gateway, simulator in
            let group = simulator.seedPlanId
            let groups = try await gateway.send("GET", "/v1/accounts/acct/protection-groups")
            let listed = (groups.jsonObject["items"] as? [[String: Any]] ?? []).first { $0["id"] as? String == group }
            #expect(listed?["status"] as? String == "protected", "\(groups.jsonObject)")
            let read = try await gateway.send("GET", "/v1/accounts/acct/protection-groups/\(group)")
            #expect(read.status == 200)
            #expect(read.jsonObject["memberCount"] as? Int == 2, "\(read.jsonObject)")
            #expect(read.jsonObject["provider"] as? String == "aws-drs")

            let created = try await gateway.send(
                "POST", "/v1/accounts/acct/drills", json: #"{"name":"monthly-drill","protectionGroupId":"\#(group)"}"#,
                headers: [("Prefer", "wait=20")])
            #expect(created.status == 200, "\(created.status) \(created.jsonObject)")
            #expect(created.jsonObject["status"] as? String == "succeeded")
            let drillId = try #require((created.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            #expect(drillId.hasPrefix("drsjob-"))
            let starts = Self.actions(simulator, "StartRecovery")
            #expect(starts.count == 1)
            let startBody = try #require(try JSONSerialization.jsonObject(with: Data(starts.first?.body ?? [])) as? [String: Any])
            #expect(startBody["isDrill"] as? Bool == true)
            #expect((startBody["sourceServers"] as? [[String: Any]])?.count == 2)

            let drill = try await gateway.send("GET", "/v1/accounts/acct/drills/\(drillId)")
            #expect(drill.jsonObject["status"] as? String == "ready", "\(drill.jsonObject)")
            #expect(drill.jsonObject["name"] as? String == "monthly-drill")
            #expect(drill.jsonObject["protectionGroupId"] as? String == group)
            let list = try await gateway.send("GET", "/v1/accounts/acct/drills?protectionGroupId=\(group)")
            #expect((list.jsonObject["items"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == drillId })

            let deleted = try await gateway.send("DELETE", "/v1/accounts/acct/drills/\(drillId)", headers: [("Prefer", "wait=20")])
            #expect(deleted.jsonObject["status"] as? String == "succeeded", "\(deleted.jsonObject)")
            let terminates = Self.actions(simulator, "TerminateRecoveryInstances")
            #expect(terminates.count == 1)
            // Verified: after the terminate job, the instances were looked up and found gone.
            let log = simulator.requestLog.all
            let terminateAt = try #require(log.lastIndex { $0.action == "TerminateRecoveryInstances" })
            #expect(log[terminateAt...].contains { $0.action == "DescribeRecoveryInstances" })
            let after = try await gateway.send("GET", "/v1/accounts/acct/drills/\(drillId)")
            #expect(after.status == 404, "\(after.jsonObject)")
            let listAfter = try await gateway.send("GET", "/v1/accounts/acct/drills")
            #expect(!(listAfter.jsonObject["items"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == drillId })
            let again = try await gateway.send("DELETE", "/v1/accounts/acct/drills/\(drillId)")
            #expect(again.status == 404, "\(again.jsonObject)")
        }
    }

    @Test("a terminate job that completes while the instances stay does not end the delete: it keeps checking and the drill still reads ready")
    func phantomTermination() async throws {
        var options = Self.options()
        options.phantomDeletes = true
        try await Self.withGateway(options: options) { gateway, simulator in
            let created = try await gateway.send(
                "POST", "/v1/accounts/acct/drills", json: #"{"name":"phantom","protectionGroupId":"\#(simulator.seedPlanId)"}"#,
                headers: [("Prefer", "wait=20")])
            let drillId = try #require((created.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            let accepted = try await gateway.send("DELETE", "/v1/accounts/acct/drills/\(drillId)")
            #expect(accepted.status == 202)
            // The terminate job completes (0.3 s), and the adapter looks for the instances again and
            // again during its grace period: the drill must not read as deleted meanwhile.
            let checkedTwice = await eventually(within: 10) {
                let log = simulator.requestLog.all
                guard let terminate = log.lastIndex(where: { $0.action == "TerminateRecoveryInstances" }) else { return false }
                return log[terminate...].filter { $0.action == "DescribeRecoveryInstances" }.count >= 2
            }
            #expect(checkedTwice)
            let operation = try await gateway.send("GET", "/v1/operations/\(accepted.jsonObject["id"] as? String ?? "")")
            #expect(operation.jsonObject["status"] as? String == "running", "\(operation.jsonObject)")
            let drill = try await gateway.send("GET", "/v1/accounts/acct/drills/\(drillId)")
            #expect(drill.jsonObject["status"] as? String == "ready", "\(drill.jsonObject)")
        }
    }

    @Test("protection groups: a recovery plan made from a tag or from ids, read back and deleted; bad options are a 400 before any call")
    func protectionGroups() async throws {
        try await Self.withGateway(options: Self.options()) { gateway, simulator in
            let byTag = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups",
                json: #"{"name":"web-tier","description":"app servers","providerOptions":{"sourceServerTag":"Name=app-1"}}"#,
                headers: [("Prefer", "wait=20"), ("Idempotency-Key", "pg-web-tier")])
            #expect(byTag.jsonObject["status"] as? String == "succeeded", "\(byTag.jsonObject)")
            let groupId = try #require((byTag.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            #expect(groupId.hasPrefix("rp-"))
            let read = try await gateway.send("GET", "/v1/accounts/acct/protection-groups/\(groupId)")
            #expect(read.jsonObject["name"] as? String == "web-tier")
            #expect(read.jsonObject["memberCount"] as? Int == 1, "\(read.jsonObject)")
            #expect(read.jsonObject["description"] as? String == "app servers")
            let createBody = try #require(
                try JSONSerialization.jsonObject(with: Data(Self.actions(simulator, "CreateRecoveryPlan").first?.body ?? [])) as? [String: Any])
            #expect((createBody["clientToken"] as? String)?.isEmpty == false, "a plan create carries a client token")

            let ids = simulator.sourceServerIds.prefix(3).joined(separator: ",")
            let byIds = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups",
                json: #"{"name":"all-servers","providerOptions":{"sourceServerIds":"\#(ids)"}}"#, headers: [("Prefer", "wait=20")])
            let allId = try #require((byIds.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            let all = try await gateway.send("GET", "/v1/accounts/acct/protection-groups/\(allId)")
            #expect(all.jsonObject["memberCount"] as? Int == 3)

            let callsBefore = simulator.requestLog.all.count
            let missing = try await gateway.send("POST", "/v1/accounts/acct/protection-groups", json: #"{"name":"nothing"}"#)
            #expect(missing.status == 400)
            #expect("\(missing.jsonObject)".contains("providerOptions.sourceServerIds"))
            let foreign = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups",
                json: #"{"name":"x","domainId":"d","providerOptions":{"sourceServerTag":"a=b","vpc":"v"}}"#)
            #expect(foreign.status == 400)
            let foreignText = "\(foreign.jsonObject)"
            #expect(foreignText.contains("domainId") && foreignText.contains("providerOptions.vpc"), "\(foreignText)")
            let dotted = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups", json: #"{"name":"a.b","providerOptions":{"sourceServerTag":"a=b"}}"#)
            #expect(dotted.status == 400)
            #expect(simulator.requestLog.all.count == callsBefore, "refused bodies make no upstream call")

            let unknown = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups",
                json: #"{"name":"ghost","providerOptions":{"sourceServerIds":"s-00000000000000000"}}"#)
            #expect(unknown.status == 400, "\(unknown.jsonObject)")
            #expect(Self.actions(simulator, "CreateRecoveryPlan").count == 2, "no plan for servers that do not exist")

            let deleted = try await gateway.send("DELETE", "/v1/accounts/acct/protection-groups/\(groupId)", headers: [("Prefer", "wait=20")])
            #expect(deleted.jsonObject["status"] as? String == "succeeded")
            let gone = try await gateway.send("GET", "/v1/accounts/acct/protection-groups/\(groupId)")
            #expect(gone.status == 404)
        }
    }

    @Test("errors: unknown ids are 404, start/stop/switchover are 501, drillNetworkId is 400, a launch in flight is 409 from ConflictException, a wrong secret is 502")
    func errors() async throws {
        try await Self.withGateway(options: Self.options(jobSeconds: 5)) { gateway, simulator in
            let group = simulator.seedPlanId
            #expect(try await gateway.send("GET", "/v1/accounts/acct/drills/drsjob-00000000000000000").status == 404)
            #expect(try await gateway.send("GET", "/v1/accounts/acct/protection-groups/rp-00000000000000000").status == 404)
            let switchover = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups/\(group)/switchover", json: #"{"priorityStation":"target"}"#)
            #expect(switchover.status == 501, "\(switchover.jsonObject)")
            #expect(switchover.jsonObject["code"] as? String == "not_supported")
            let network = try await gateway.send(
                "POST", "/v1/accounts/acct/drills", json: #"{"name":"d","protectionGroupId":"\#(group)","drillNetworkId":"vpc-1"}"#)
            #expect(network.status == 400)

            let first = try await gateway.send("POST", "/v1/accounts/acct/drills", json: #"{"name":"first","protectionGroupId":"\#(group)"}"#)
            #expect(first.status == 202)
            let second = try await gateway.send("POST", "/v1/accounts/acct/drills", json: #"{"name":"second","protectionGroupId":"\#(group)"}"#)
            #expect(second.status == 409, "\(second.jsonObject)")
            #expect(second.jsonObject["code"] as? String == "conflict")
            #expect(second.jsonObject["providerCode"] as? String == "ConflictException")
            #expect((second.jsonObject["providerRequestId"] as? String)?.isEmpty == false, "the DRS request id is kept")
            // A drill still launching cannot be deleted yet.
            let drillId = try #require((first.jsonObject["resource"] as? [String: Any])?["id"] as? String)
            let early = try await gateway.send("DELETE", "/v1/accounts/acct/drills/\(drillId)")
            #expect(early.status == 409, "\(early.jsonObject)")
        }
        try await Self.withGateway(options: Self.options(), account: { $0.credentials.secretKey = "not-the-secret" }) { gateway, simulator in
            let read = try await gateway.send("GET", "/v1/accounts/acct/protection-groups")
            #expect(read.status == 502, "\(read.jsonObject)")
            #expect(read.jsonObject["code"] as? String == "upstream_auth_failed")
            #expect(read.jsonObject["providerCode"] as? String == "InvalidSignatureException")
        }
    }

    @Test("failover launches a recovery (not a drill) of the plan's servers; reprotect reverses each recovery instance")
    func failoverAndReprotect() async throws {
        try await Self.withGateway(options: Self.options()) { gateway, simulator in
            let group = simulator.seedPlanId
            let failover = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups/\(group)/failover", json: "{}", headers: [("Prefer", "wait=20")])
            #expect(failover.jsonObject["status"] as? String == "succeeded", "\(failover.jsonObject)")
            let start = try #require(
                try JSONSerialization.jsonObject(with: Data(Self.actions(simulator, "StartRecovery").first?.body ?? [])) as? [String: Any])
            #expect(start["isDrill"] as? Bool == false)
            let reprotect = try await gateway.send(
                "POST", "/v1/accounts/acct/protection-groups/\(group)/reprotect", json: "{}", headers: [("Prefer", "wait=20")])
            #expect(reprotect.jsonObject["status"] as? String == "succeeded", "\(reprotect.jsonObject)")
            #expect(Self.actions(simulator, "ReverseReplication").count == 2)
        }
    }

    @Test("32 concurrent creates with one Idempotency-Key make one StartRecovery")
    func concurrentSameKey() async throws {
        var options = Self.options()
        options.holdAction = "StartRecovery"
        options.holdSeconds = 0.5
        try await Self.withGateway(options: options) { gateway, simulator in
            let body = #"{"name":"same-key","protectionGroupId":"\#(simulator.seedPlanId)"}"#
            let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        let r = try await gateway.send("POST", "/v1/accounts/acct/drills", json: body, headers: [("Idempotency-Key", "aws-one-key")])
                        return (r.status, r.jsonObject["code"] as? String)
                    }
                }
                var all: [(Int, String?)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            #expect(Self.actions(simulator, "StartRecovery").count == 1)
            #expect(answers.contains { $0.0 == 202 })
            for answer in answers where answer.0 != 202 {
                #expect(answer.0 == 409 && answer.1 == "idempotency_key_in_use", "unexpected \(answer)")
            }
        }
    }
}
